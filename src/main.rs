fn main() {
    std::process::exit(fleetc::run(std::env::args_os()));
}
