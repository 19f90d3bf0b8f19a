//! Both cores on one text exposition: the input is cut into pieces at line boundaries,
//! each piece is parsed and tallied by whichever worker is free, and the pieces' families
//! are joined in input order.
//!
//! A piece is read without the families before it. That is exact whenever no name it
//! looked up is a family of an earlier piece, which holds when a piece starts at a
//! family's HELP or TYPE line, as the cutter arranges: families then never straddle two
//! pieces, and every table (families, label names, fingerprints, histogram series) of the
//! piece simply goes after the earlier ones. When a name does repeat (interleaved
//! families, a family longer than a piece), the piece is read again, on the joined
//! families, exactly as a single pass would read it. So the result, findings and their
//! order included, is the single pass's. Only a few pieces are in flight at a time, so
//! the input is never held whole.

use std::collections::BTreeMap;
use std::io::{self, BufRead, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;

use super::FamilyStats;
use super::collect::Collector;
use super::tally::{self, Tally};
use crate::model::{Format, PrometheusVersion};
use crate::parse::{self, Error, Parsed, TextParser};

/// The size a piece is cut at, roughly: large enough that per-piece tables cost little,
/// small enough that two pieces per worker stay far below the input's size.
/// Tests cut tiny pieces, so that small inputs take every path.
const PIECE: usize = if cfg!(test) { 256 } else { 1 << 18 };
/// A piece with no family boundary is cut at a line after this many bytes.
const PIECE_MAX: usize = PIECE * 8;

/// A cut piece: its bytes and the line it starts at.
struct Piece {
    index: usize,
    first_line: u32,
    bytes: Vec<u8>,
}

/// A piece read and tallied on its own.
struct Done {
    piece: Piece,
    parser: TextParser,
    collector: Collector<Tally>,
    outcome: parse::Piece,
}

/// The joined result of the pieces so far.
struct Whole {
    parser: TextParser,
    collector: Collector<Tally>,
    lines: u32,
    bytes: u64,
    error: Option<Error>,
}

/// Parses and analyses `reader` as the text format with every core.
pub(super) fn analyze<R: BufRead>(
    reader: R,
    version: PrometheusVersion,
) -> (Parsed, Vec<FamilyStats>) {
    let utf8_names = version.utf8_names();
    let workers = thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4));
    let (pieces, queue) = mpsc::sync_channel::<Piece>(1);
    let queue = Arc::new(Mutex::new(queue));
    let (done, finished) = mpsc::sync_channel::<Done>(1);
    // A fixed set of buffers circulates: the cutter fills one, the joiner hands it back
    // once its piece is joined. So pieces in flight (queued, parsed, or waiting for an
    // earlier one to be joined) are bounded however the threads are scheduled, and no
    // buffer is allocated twice (fresh ones cost a page fault per 4 KiB).
    let (spare, spares) = mpsc::channel::<Vec<u8>>();
    for _ in 0..workers * 2 + 2 {
        let _ = spare.send(Vec::with_capacity(PIECE * 2));
    }
    let stop = AtomicBool::new(false);
    thread::scope(|scope| {
        for _ in 0..workers {
            let queue = Arc::clone(&queue);
            let done = done.clone();
            scope.spawn(move || work(&queue, &done, utf8_names));
        }
        drop(done);
        let stop = &stop;
        let joining = scope.spawn(move || join(&finished, stop, &spare, utf8_names));
        let read_error = cut(reader, &pieces, &spares, stop);
        drop(pieces);
        // A worker or the joiner cannot panic on input; should one, the result is empty.
        let whole = joining.join().unwrap_or_else(|_| Whole::new(utf8_names));
        finish(whole, read_error)
    })
}

impl Whole {
    fn new(utf8_names: bool) -> Self {
        Self {
            parser: TextParser::new(utf8_names),
            collector: Collector::new(Tally::default(), false),
            lines: 0,
            bytes: 0,
            error: None,
        }
    }

    /// Adds the next piece in input order; returns its buffer.
    fn push(&mut self, done: Done) -> Vec<u8> {
        if self.error.is_some() {
            return done.piece.bytes;
        }
        let outcome = if done.parser.depends_on(&self.parser.families) {
            let piece = &done.piece;
            parse::parse_text_piece(
                &piece.bytes,
                &mut self.parser,
                piece.first_line,
                &mut self.collector,
            )
        } else {
            self.collector.flush();
            let offset = self.parser.append(done.parser);
            let (names, tally) = done.collector.finish();
            self.collector.append_names(offset, names);
            self.collector.sink.append(offset, tally);
            self.collector.sink.close_from(offset);
            done.outcome
        };
        self.lines += outcome.lines;
        self.bytes += outcome.bytes;
        self.error = outcome.error;
        done.piece.bytes
    }
}

/// A worker: reads pieces on their own until the cutter is done.
fn work(queue: &Mutex<Receiver<Piece>>, done: &SyncSender<Done>, utf8_names: bool) {
    loop {
        let next = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(piece) = next else {
            return;
        };
        let mut parser = TextParser::speculative(utf8_names);
        let mut collector = Collector::new(Tally::default(), false);
        let outcome =
            parse::parse_text_piece(&piece.bytes, &mut parser, piece.first_line, &mut collector);
        collector.flush();
        let sent = done.send(Done {
            piece,
            parser,
            collector,
            outcome,
        });
        if sent.is_err() {
            return;
        }
    }
}

/// Joins pieces in input order as they come back; tells the cutter to stop after an error.
fn join(
    finished: &Receiver<Done>,
    stop: &AtomicBool,
    spare: &mpsc::Sender<Vec<u8>>,
    utf8_names: bool,
) -> Whole {
    let mut whole = Whole::new(utf8_names);
    let mut waiting = BTreeMap::new();
    let mut next = 0;
    for done in finished {
        waiting.insert(done.piece.index, done);
        while let Some(done) = waiting.remove(&next) {
            let mut bytes = whole.push(done);
            bytes.clear();
            // The cutter may be done; then the buffer is freed.
            let _ = spare.send(bytes);
            next += 1;
        }
        if whole.error.is_some() {
            stop.store(true, Ordering::Relaxed);
        }
    }
    whole
}

/// Numbers the pieces and their lines as they are sent.
struct Sender<'a> {
    pieces: &'a SyncSender<Piece>,
    index: usize,
    lines: u32,
}

impl Sender<'_> {
    /// Sends a piece; false when nobody takes pieces any more.
    fn send(&mut self, bytes: Vec<u8>) -> bool {
        let first_line = self.lines.saturating_add(1);
        let count = memchr::memchr_iter(b'\n', &bytes).count();
        self.lines = self
            .lines
            .saturating_add(u32::try_from(count).unwrap_or(u32::MAX));
        let sent = self.pieces.send(Piece {
            index: self.index,
            first_line,
            bytes,
        });
        self.index += 1;
        sent.is_ok()
    }
}

/// Reads `reader` and sends it on in pieces; returns the read error that ended it, with
/// the line it happened on.
fn cut<R: BufRead>(
    mut reader: R,
    pieces: &SyncSender<Piece>,
    spares: &Receiver<Vec<u8>>,
    stop: &AtomicBool,
) -> Option<(u32, io::Error)> {
    let mut sender = Sender {
        pieces,
        index: 0,
        lines: 0,
    };
    let Ok(mut buffer) = spares.recv() else {
        return None;
    };
    loop {
        if stop.load(Ordering::Relaxed) {
            return None;
        }
        // Straight into the piece's buffer: the reader's own buffer is bypassed once
        // drained, so the input is copied once, by the kernel.
        let want = (PIECE * 2).saturating_sub(buffer.len()).max(PIECE / 4);
        let read = match reader.by_ref().take(want as u64).read_to_end(&mut buffer) {
            Ok(read) => read,
            Err(error) => {
                // What was read before the failure stays in the buffer; its complete
                // lines are read, as a single pass would.
                let complete = memchr::memrchr(b'\n', &buffer).map_or(0, |at| at + 1);
                buffer.truncate(complete);
                if !buffer.is_empty() && !sender.send(buffer) {
                    return None;
                }
                return Some((sender.lines.saturating_add(1), error));
            }
        };
        if read == 0 {
            if !buffer.is_empty() {
                sender.send(buffer);
            }
            return None;
        }
        if buffer.len() < PIECE {
            continue;
        }
        let Some(at) = boundary(&buffer) else {
            continue;
        };
        // The joiner is gone only if it failed; the result is empty then anyway.
        let Ok(mut rest) = spares.recv() else {
            return None;
        };
        rest.extend_from_slice(&buffer[at..]);
        buffer.truncate(at);
        if !sender.send(std::mem::replace(&mut buffer, rest)) {
            return None;
        }
    }
}

/// Where to cut `buffer`: before the last HELP or TYPE line that follows a line other
/// than a comment (the start of a family's metadata), past half a piece. Past the largest piece,
/// after any line. `None` while waiting for more input is better.
fn boundary(buffer: &[u8]) -> Option<usize> {
    let from = PIECE / 2;
    // The last such line, so that little is carried over into the next piece.
    for hit in memchr::memmem::rfind_iter(&buffer[from..], b"\n# ") {
        let newline = from + hit;
        let rest = &buffer[newline + 3..];
        if !(rest.starts_with(b"HELP ") || rest.starts_with(b"TYPE ")) {
            continue;
        }
        let line_start = memchr::memrchr(b'\n', &buffer[..newline]).map_or(0, |at| at + 1);
        if buffer.get(line_start) != Some(&b'#') {
            return Some(newline + 1);
        }
    }
    if buffer.len() >= PIECE_MAX {
        return memchr::memrchr(b'\n', buffer).map(|at| at + 1);
    }
    None
}

/// Turns the joined pieces into what [`super::analyze`] returns.
fn finish(whole: Whole, read_error: Option<(u32, io::Error)>) -> (Parsed, Vec<FamilyStats>) {
    let Whole {
        parser,
        collector,
        lines,
        bytes,
        error,
    } = whole;
    let error = error.or_else(|| read_error.map(|(line, source)| Error::Read { line, source }));
    let (names, tally) = collector.finish();
    let families = parser.families.list;
    let stats = tally::finish(tally, &families, &names);
    let parsed = Parsed {
        format: Format::Text,
        families,
        lines,
        bytes,
        error,
        notes: Vec::new(),
        notes_total: 0,
    };
    (parsed, stats)
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use proptest::prelude::*;

    use super::super::analyze_in_one_pass;
    use super::*;

    /// Everything an analysis produced, as text to compare.
    fn summary((parsed, stats): &(Parsed, Vec<FamilyStats>)) -> String {
        format!(
            "{:?}\n{:?}\n{} {} {:?}",
            parsed.families,
            stats,
            parsed.lines,
            parsed.bytes,
            parsed.error.as_ref().map(ToString::to_string)
        )
    }

    fn same_as_one_pass(text: &str) {
        let pieces = analyze(text.as_bytes(), PrometheusVersion::V3);
        let one = analyze_in_one_pass(text.as_bytes(), Format::Text, PrometheusVersion::V3);
        assert_eq!(summary(&pieces), summary(&one), "{text}");
    }

    /// Families of every kind, with a problem here and there, repeated.
    fn families(count: usize, interleave: bool) -> String {
        let mut out = String::new();
        for n in 0..count {
            let kind = ["counter", "histogram", "summary", "gauge"][n % 4];
            write!(out, "# HELP f{n} F.\n# TYPE f{n} {kind}\n").unwrap();
            for s in 0..5 {
                match kind {
                    "histogram" => write!(out, 
                        "f{n}_bucket{{a=\"{s}\",le=\"1\"}} {s}\nf{n}_bucket{{a=\"{s}\",le=\"+Inf\"}} 1\n\
                         f{n}_sum{{a=\"{s}\"}} 1\nf{n}_count{{a=\"{s}\"}} 2\n"
                    )
                    .unwrap(),
                    "summary" => write!(out, 
                        "f{n}{{a=\"{s}\",quantile=\"0.5\"}} 1\nf{n}_count{{a=\"{s}\"}} 1\n"
                    )
                    .unwrap(),
                    _ => writeln!(out, "f{n}{{a=\"{}\",fooBar=\"x\"}} -1", s % 3).unwrap(),
                }
            }
            if interleave && n % 3 == 2 {
                write!(out, "f{}{{a=\"late\"}} 1\nf0_count 3\n", n - 2).unwrap();
            }
        }
        out
    }

    #[test]
    fn pieces_give_what_one_pass_gives() {
        same_as_one_pass(&families(40, false));
        // Interleaved families make later pieces depend on earlier ones.
        same_as_one_pass(&families(40, true));
        // An error in a later piece, and a last line without a newline.
        let mut broken = families(30, false);
        broken.push_str("f1_total{a=\"x\" 1\n");
        broken.push_str(&families(5, false));
        same_as_one_pass(&broken);
        let mut unterminated = families(30, false);
        unterminated.push_str("z 1");
        same_as_one_pass(&unterminated);
        // TYPE after samples of a family from an earlier piece.
        let mut late = families(30, false);
        late.push_str("# TYPE f3 gauge\n");
        same_as_one_pass(&late);
        // A family longer than the largest piece, with no family boundary to cut at.
        let mut long = String::new();
        for n in 0..400 {
            writeln!(long, "g{{n=\"{n}\"}} 1").unwrap();
        }
        same_as_one_pass(&format!(
            "{}{long}{}",
            families(10, false),
            families(10, false)
        ));
    }

    proptest! {
        #[test]
        fn cut_anywhere_the_result_is_the_same(count in 1usize..30, interleave in any::<bool>(), cut in 0usize..4000) {
            let text = families(count, interleave);
            let cut = cut.min(text.len());
            // A line inserted somewhere, possibly breaking a family in two.
            let mut mixed = text[..cut].to_owned();
            if let Some(at) = mixed.rfind('\n') {
                mixed.truncate(at + 1);
            }
            mixed.push_str("f1 2\n");
            mixed.push_str(&text[mixed.len().saturating_sub(5).min(text.len())..]);
            same_as_one_pass(&mixed);
        }
    }
}
