//! Logging: human-readable in development, JSON lines in production; the request id is on every
//! line of a request through its span.

use tracing_subscriber::EnvFilter;

use crate::config::Mode;

/// Install the global subscriber. Logs go to stderr so that `parcours token` and
/// `parcours schema` print only their result on stdout.
pub fn init(filter: &str, mode: Mode) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match mode {
        Mode::Production => builder.json().try_init(),
        Mode::Development => builder.try_init(),
    };
}
