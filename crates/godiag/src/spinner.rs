//! The spinner on stderr that names the running check while a command works.
//!
//! Only on a terminal: in a pipe, a file or a CI log it would be noise, so it is never
//! created there. It appears only when the first task starts (so `explain` and usage errors
//! never draw it) and is cleared before the report is written.

use std::io::{self, IsTerminal};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use godiag_core::progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Installs the spinner as the progress observer when stderr is a terminal that can draw it.
pub(crate) fn install(quiet: bool, term: Option<&str>) {
    if quiet || term == Some("dumb") || !io::stderr().is_terminal() {
        return;
    }
    let bar: Arc<Mutex<Option<ProgressBar>>> = Arc::new(Mutex::new(None));
    progress::observe(Box::new(move |event| {
        let mut bar = bar.lock().unwrap_or_else(PoisonError::into_inner);
        match event {
            Some(name) => bar.get_or_insert_with(start).set_message(name.to_owned()),
            None => {
                if let Some(bar) = bar.take() {
                    bar.finish_and_clear();
                }
            }
        }
    }));
}

fn start() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    // A template of literals and known keys cannot fail to parse.
    if let Ok(style) = ProgressStyle::with_template("{spinner} {wide_msg}") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}
