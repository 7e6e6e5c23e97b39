/// glibc's malloc was a fifth of a build's CPU time (many small, short-lived strings across two
/// threads); mimalloc is much cheaper there and is compiled from source with the C compiler.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    privacy_site::cli::run()
}
