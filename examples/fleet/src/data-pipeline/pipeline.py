print("data pipeline run")
