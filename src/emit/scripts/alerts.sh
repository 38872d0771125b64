promtool test rules {{ tests|sh }}
