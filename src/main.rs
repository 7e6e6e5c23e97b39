fn main() -> std::process::ExitCode {
    privacy_site::cli::run()
}
