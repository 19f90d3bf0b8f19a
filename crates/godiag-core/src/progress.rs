//! Who hears which task has started, so the binary can show a spinner naming it.
//!
//! Libraries only report ([`started`], [`finished`]); the binary installs one observer per
//! process ([`observe`]), much as a program installs one logger. Nothing here draws, and with
//! no observer every report is a no-op, so tests and the library API are unaffected.

use std::sync::OnceLock;

/// What the observer is told: a task's name when it starts, `None` when the caller is about to
/// write its output and anything drawn on the terminal must go.
pub type Observer = Box<dyn Fn(Option<&str>) + Send + Sync>;

static OBSERVER: OnceLock<Observer> = OnceLock::new();

/// Installs the process's observer; returns false (and drops `observer`) if one is already
/// installed.
pub fn observe(observer: Observer) -> bool {
    OBSERVER.set(observer).is_ok()
}

/// Reports that the task `name` has started.
pub fn started(name: &str) {
    if let Some(observer) = OBSERVER.get() {
        observer(Some(name));
    }
}

/// Reports that the work is done and output follows.
pub fn finished() {
    if let Some(observer) = OBSERVER.get() {
        observer(None);
    }
}
