//! Progress on stderr: an indicatif bar of input bytes (rate and ETA) when stderr is a
//! terminal and `--quiet` is off; nothing otherwise, so logs and pipes stay clean.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    pub fn new(total_bytes: u64, quiet: bool) -> Progress {
        let visible = !quiet && std::io::stderr().is_terminal();
        let bar = if visible { ProgressBar::new(total_bytes) } else { ProgressBar::hidden() };
        if visible {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {binary_bytes}/{binary_total_bytes} \
                 {binary_bytes_per_sec} ETA {eta} {msg}",
            )
            .expect("valid template");
            bar.set_style(style);
        }
        Progress { bar }
    }

    pub fn update(&self, bytes: u64, tickets: u64) {
        self.bar.set_position(bytes);
        self.bar.set_message(format!("{tickets} tickets"));
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
