//! Probes (see later).
