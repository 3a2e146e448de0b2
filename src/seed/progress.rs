//! Progress on standard error: one line per table, redrawn in place on a terminal, printed once
//! per finished table otherwise (so logs and CI output stay readable).

use std::{
    io::{IsTerminal, Write},
    time::{Duration, Instant},
};

/// How often a terminal line is redrawn at most.
const REDRAW: Duration = Duration::from_millis(100);

pub struct Progress {
    enabled: bool,
    terminal: bool,
    table: &'static str,
    started: Instant,
    drawn: Instant,
    /// Every finished table and its row count, in order.
    pub tables: Vec<(&'static str, u64)>,
}

impl Progress {
    pub fn new(enabled: bool) -> Self {
        let now = Instant::now();
        Self {
            enabled,
            terminal: std::io::stderr().is_terminal(),
            table: "",
            started: now,
            drawn: now,
            tables: Vec::new(),
        }
    }

    pub fn start(&mut self, table: &'static str) {
        self.table = table;
        self.started = Instant::now();
        self.drawn = self.started;
        if self.enabled && self.terminal {
            self.draw(0, None);
        }
    }

    /// `rows` written so far; `done` of `total` accounts generated (when the table follows
    /// accounts).
    pub fn tick(&mut self, rows: u64, done: u64, total: u64) {
        if self.enabled && self.terminal && self.drawn.elapsed() >= REDRAW {
            self.drawn = Instant::now();
            self.draw(rows, Some(done * 100 / total.max(1)));
        }
    }

    pub fn finish(&mut self, rows: u64) {
        self.tables.push((self.table, rows));
        if !self.enabled {
            return;
        }
        let secs = self.started.elapsed().as_secs_f64();
        let line = format!("{:<22} {:>10} rows  {secs:>6.1} s", self.table, rows);
        let mut err = std::io::stderr().lock();
        // Progress is best effort: a closed standard error must not fail the seed.
        let _ = if self.terminal {
            writeln!(err, "\r{line}\x1b[K")
        } else {
            writeln!(err, "{line}")
        };
    }

    /// Ends a pass that wrote several tables: a line per table, then the pass with its time.
    pub fn finish_tables(&mut self, tables: &[(&'static str, u64)]) {
        self.tables.extend_from_slice(tables);
        if !self.enabled {
            return;
        }
        let secs = self.started.elapsed().as_secs_f64();
        let total: u64 = tables.iter().map(|(_, n)| n).sum();
        let mut err = std::io::stderr().lock();
        if self.terminal {
            let _ = write!(err, "\r\x1b[K");
        }
        for (table, rows) in tables {
            let _ = writeln!(err, "  {table:<20} {rows:>10} rows");
        }
        let _ = writeln!(err, "{:<22} {total:>10} rows  {secs:>6.1} s", self.table);
    }

    fn draw(&self, rows: u64, percent: Option<u64>) {
        let percent = percent.map(|p| format!("{p:>3}%")).unwrap_or_default();
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{:<22} {rows:>10} rows  {percent}\x1b[K", self.table);
        let _ = err.flush();
    }
}
