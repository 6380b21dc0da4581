//! Stage 1 — reading. Takes the command line's inputs (files, directories searched
//! recursively for `*.jsonl`, `*.csv`, `*.tsv`, each optionally `.gz`, or `-` for stdin),
//! yields numbered raw lines in batches; tables go through `table`, which turns their rows
//! into one line per ticket. Files are read in sorted path order so a run does not depend on the order inputs
//! were named in. gzip is recognized by its magic bytes, so a compressed stdin works too. Lines
//! stay bytes here: invalid UTF-8 is the parser's to reject, not a reason to stop reading.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use flate2::bufread::GzDecoder;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::table::{TableMapping, TableReader};
use crate::vocab::RejectCode;

/// Lines longer than this are rejected without being held in memory whole.
pub const MAX_LINE_BYTES: usize = 64 << 20;
/// How much of a rejected line is kept for `rejects.jsonl`.
pub const KEPT_BYTES: usize = 512;

/// One input file (or stdin) as the manifest lists it.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// As shown to people: the path as found, or `-` for stdin.
    pub display: String,
    path: Option<PathBuf>,
    pub format: Format,
    /// Bytes on disk (compressed size for `.gz`); for stdin, bytes read.
    pub bytes: u64,
    /// Non-blank lines; for a table, non-blank rows after the header.
    pub lines: u64,
    /// SHA-256 of the bytes as read (compressed for `.gz`), once the whole input is read: the
    /// fingerprint by which `zhijian diff` knows two reports audited the same input.
    pub sha256: Option<String>,
    /// The sum of [`line_digest`] over its non-blank lines: the same however the file was read
    /// (whole, or as rows spread over shards in any order), so `zhijian diff` knows two reports
    /// read the same input where no one process saw the whole file.
    pub lines_digest: u128,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    JsonLines,
    /// One message per row, read through the run's table mapping.
    Table,
}

impl Format {
    pub fn from_key(key: &str) -> Option<Format> {
        [Format::JsonLines, Format::Table].into_iter().find(|f| f.key() == key)
    }

    pub fn key(self) -> &'static str {
        match self {
            Format::JsonLines => "jsonl",
            Format::Table => "table",
        }
    }
}

#[derive(Debug)]
pub struct InputLine {
    pub file: u32,
    pub line_no: u64,
    pub bytes: Vec<u8>,
    /// The line was longer than [`MAX_LINE_BYTES`]; `bytes` holds its first [`KEPT_BYTES`].
    pub too_long: bool,
    /// Input rows this line stands for: 1, or a table ticket's rows.
    pub rows: u64,
    /// Already refused while reading (a table row that cannot be mapped): the parser's answer.
    pub reject: Option<(RejectCode, String)>,
}

/// Expands the inputs: directories become their `*.jsonl`, `*.csv`, `*.tsv` files (each
/// optionally `.gz`). The result is sorted and free of repeats; stdin, if named, comes last.
/// `tables` says whether a table mapping was given: without one, a table is an error naming
/// the flag; with one, a named file of another extension (`chat.txt`) and stdin are tables.
///
/// A directory search skips every directory below the named one for which `skip` says so:
/// the spine passes zhijian's own (the `--out` directory, earlier reports, staging and
/// set-aside directories), because `zhijian audit data/ --out data/report` would otherwise
/// read last night's `flagged.jsonl` and `review_queue.csv` as tickets. A file named on the
/// command line is always read.
pub fn resolve(
    inputs: &[PathBuf],
    tables: bool,
    skip: impl Fn(&Path) -> bool,
) -> Result<Vec<InputFile>> {
    let mut paths = Vec::new();
    let mut stdin = false;
    for input in inputs {
        if input.as_os_str() == "-" {
            stdin = true;
        } else if input.is_dir() {
            let walk = walkdir::WalkDir::new(input).follow_links(true).sort_by_file_name();
            let searched = |item: &walkdir::DirEntry| {
                item.depth() == 0 || !item.file_type().is_dir() || !skip(item.path())
            };
            for item in walk.into_iter().filter_entry(searched) {
                let item = item.map_err(|e| Error::Read {
                    path: e.path().unwrap_or(input).to_path_buf(),
                    source: e.into_io_error().unwrap_or_else(|| io::Error::other("loop in links")),
                })?;
                if item.file_type().is_file() && found_format(item.path()).is_some() {
                    paths.push(item.into_path());
                }
            }
        } else if input.exists() {
            paths.push(input.clone());
        } else {
            return Err(Error::MissingInput { path: input.clone() });
        }
    }
    paths.sort();
    paths.dedup();
    let other = if tables { Format::Table } else { Format::JsonLines };
    let mut files = Vec::with_capacity(paths.len() + 1);
    for path in paths {
        let format = found_format(&path).unwrap_or(other);
        if format == Format::Table && !tables {
            return Err(Error::TableWithoutMapping { path });
        }
        let bytes = std::fs::metadata(&path).map_err(Error::read(&path))?.len();
        files.push(InputFile {
            display: path.display().to_string(),
            path: Some(path),
            format,
            bytes,
            lines: 0,
            sha256: None,
            lines_digest: 0,
        });
    }
    if stdin {
        files.push(InputFile {
            display: "-".into(),
            path: None,
            format: other,
            bytes: 0,
            lines: 0,
            sha256: None,
            lines_digest: 0,
        });
    }
    Ok(files)
}

/// The format a file's name promises, if any: what directory searches pick up.
fn found_format(path: &Path) -> Option<Format> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    if name.ends_with(".jsonl") {
        Some(Format::JsonLines)
    } else if name.ends_with(".csv") || name.ends_with(".tsv") {
        Some(Format::Table)
    } else {
        None
    }
}

enum Source {
    Lines(Box<dyn BufRead>),
    Table(Box<TableReader>),
}

/// Streams every input's lines in order, a batch at a time.
pub struct LineStream {
    pub files: Vec<InputFile>,
    current: Option<(u32, Source)>,
    mapping: Option<TableMapping>,
    /// Where decompressed copies of gzip and stdin tables go (the staging directory).
    scratch: PathBuf,
    next_file: usize,
    line_no: u64,
    /// Raw bytes consumed so far across all inputs, for the progress bar.
    pub bytes_read: Arc<AtomicU64>,
    /// The open input's digest so far, fed by its [`CountingReader`].
    digest: Arc<Mutex<Sha256>>,
}

impl LineStream {
    pub fn new(
        files: Vec<InputFile>,
        mapping: Option<TableMapping>,
        scratch: PathBuf,
    ) -> LineStream {
        LineStream {
            files,
            current: None,
            mapping,
            scratch,
            next_file: 0,
            line_no: 0,
            bytes_read: Arc::new(AtomicU64::new(0)),
            digest: Arc::default(),
        }
    }

    /// Up to `max_lines` non-blank lines or about `max_bytes`, whichever comes first; `None`
    /// at the end of the last input.
    pub fn next_batch(
        &mut self,
        max_lines: usize,
        max_bytes: usize,
    ) -> Result<Option<Vec<InputLine>>> {
        batch_of(max_lines, max_bytes, || self.next_line())
    }

    fn next_line(&mut self) -> Result<Option<InputLine>> {
        loop {
            if self.current.is_none() && !self.open_next()? {
                return Ok(None);
            }
            let (file, source) = self.current.as_mut().expect("a file is open");
            let file = *file;
            let reader = match source {
                Source::Lines(reader) => reader,
                Source::Table(table) => match table.next_line()? {
                    Some(line) => return Ok(Some(line)),
                    None => {
                        self.close_current();
                        continue;
                    }
                },
            };
            let mut bytes = Vec::new();
            // JSON never holds a raw CR inside a value, so a lone CR ends a line (old Mac
            // exports); in a table a CR may sit inside a quoted cell, so only LF does.
            let (read, too_long) = read_line(reader.as_mut(), &mut bytes, LineEnds::AnyOf)
                .map_err(|source| self.read_error(file, source))?;
            if read == 0 {
                self.close_current();
                continue;
            }
            self.line_no += 1;
            if self.line_no == 1 && bytes.starts_with(b"\xEF\xBB\xBF") {
                bytes.drain(..3);
            }
            if bytes.iter().all(u8::is_ascii_whitespace) && !too_long {
                continue;
            }
            self.files[file as usize].lines += 1;
            return Ok(Some(InputLine {
                file,
                line_no: self.line_no,
                bytes,
                too_long,
                rows: 1,
                reject: None,
            }));
        }
    }

    fn open_next(&mut self) -> Result<bool> {
        let Some(input) = self.files.get(self.next_file) else { return Ok(false) };
        let index = self.next_file as u32;
        self.next_file += 1;
        self.line_no = 0;
        let raw: Box<dyn Read> = match &input.path {
            Some(path) => Box::new(File::open(path).map_err(Error::read(path))?),
            None => Box::new(io::stdin()),
        };
        self.digest = Arc::default();
        let counting = CountingReader {
            inner: raw,
            count: Arc::clone(&self.bytes_read),
            digest: Arc::clone(&self.digest),
        };
        let mut buffered = BufReader::with_capacity(256 << 10, counting);
        let is_gzip = buffered
            .fill_buf()
            .map_err(|source| self.read_error(index, source))?
            .starts_with(&[0x1f, 0x8b]);
        let mut reader: Box<dyn BufRead> = if is_gzip {
            let members = GzipMembers { decoder: Some(GzDecoder::new(buffered)) };
            Box::new(BufReader::with_capacity(256 << 10, members))
        } else {
            Box::new(buffered)
        };
        let start = reader.fill_buf().map_err(|source| self.read_error(index, source))?;
        if let Some(problem) = not_utf8(start) {
            return Err(Error::Input { path: PathBuf::from(&input.display), problem });
        }
        let source = match input.format {
            Format::JsonLines => Source::Lines(reader),
            Format::Table => Source::Table(Box::new(self.open_table(index, reader, is_gzip)?)),
        };
        self.current = Some((index, source));
        Ok(true)
    }

    /// Pass 1 over a table. A plain file is read in place; gzip and stdin are first copied,
    /// decoded, into the scratch directory, because pass 2 seeks.
    fn open_table(
        &mut self,
        index: u32,
        mut reader: Box<dyn BufRead>,
        is_gzip: bool,
    ) -> Result<TableReader> {
        let input = &self.files[index as usize];
        let mapping = self.mapping.as_ref().expect("resolve refuses tables without a mapping");
        let name = input.path.as_ref().map_or("-".into(), |p| p.to_string_lossy().into_owned());
        // Pass 2 reopens the file: only a regular file reads the same twice (not a pipe such
        // as `<(zcat …)`, which is copied like stdin).
        let in_place =
            input.path.as_ref().filter(|p| !is_gzip && p.metadata().is_ok_and(|m| m.is_file()));
        let table = match in_place {
            Some(path) => TableReader::index(index, &name, reader, path.clone(), None, mapping)?,
            None => {
                let temp = self.scratch.join(format!(".table-{index}"));
                let mut out = File::create(&temp).map_err(Error::write(&temp))?;
                io::copy(&mut reader, &mut out).map_err(|source| Error::Input {
                    path: PathBuf::from(&input.display),
                    problem: format!("read failed: {source}"),
                })?;
                drop(out);
                let copy = File::open(&temp).map_err(Error::read(&temp))?;
                let source = Box::new(BufReader::with_capacity(256 << 10, copy));
                TableReader::index(index, &name, source, temp.clone(), Some(temp), mapping)?
            }
        };
        self.files[index as usize].lines = table.rows;
        Ok(table)
    }

    /// The open input is read to its end: record its digest.
    fn close_current(&mut self) {
        if let Some((file, _)) = self.current.take() {
            let digest = std::mem::take(&mut *self.digest.lock().expect("never poisoned"));
            self.files[file as usize].sha256 = Some(format!("{:x}", digest.finalize()));
        }
    }

    fn read_error(&self, file: u32, source: io::Error) -> Error {
        let display = &self.files[file as usize].display;
        Error::Input {
            path: PathBuf::from(display),
            problem: format!("read failed after line {}: {source}", self.line_no),
        }
    }

    /// Bytes read from stdin are only known at the end; record them for the manifest.
    pub fn finish(mut self) -> Vec<InputFile> {
        let total = self.bytes_read.load(Ordering::Relaxed);
        let on_disk: u64 = self.files.iter().filter(|f| f.path.is_some()).map(|f| f.bytes).sum();
        if let Some(stdin) = self.files.iter_mut().find(|f| f.path.is_none()) {
            stdin.bytes = total.saturating_sub(on_disk);
        }
        self.files
    }
}

/// A line's part of [`InputFile::lines_digest`]: a 128-bit SipHash of its number and its
/// bytes as read (a line past [`MAX_LINE_BYTES`] by its number alone, since only its start is
/// kept, and that start depends on how it was read).
pub fn line_digest(line: &InputLine) -> u128 {
    use siphasher::sip128::{Hasher128, SipHasher13};
    use std::hash::Hasher;
    let mut hasher = SipHasher13::new_with_keys(0x6c69_6e65_7321, 0x007a_6869_6a69_616e);
    hasher.write_u64(line.line_no);
    if !line.too_long {
        hasher.write(&line.bytes);
    }
    hasher.finish128().as_u128()
}

impl InputFile {
    /// An input known by name only: a file another process read (`zhijian map --rows`, or a
    /// partial's records), whose size and digest it reports if it read it whole.
    pub fn named(display: &str, format: Format) -> InputFile {
        InputFile {
            display: display.to_string(),
            path: None,
            format,
            bytes: 0,
            lines: 0,
            sha256: None,
            lines_digest: 0,
        }
    }
}

/// Rows `FILE<TAB>LINE<TAB>TEXT` on stdin, as an engine that pipes rows through a program
/// sends them (`zhijian map --rows`): each names its file and 1-based line, so rejects and
/// duplicates name them as a whole-file read would. TEXT is the line without its end; as when
/// reading the file, a trailing CR and a byte-order mark on line 1 are dropped and blank lines
/// are skipped.
pub struct RowStream {
    pub files: Vec<InputFile>,
    index: HashMap<String, u32>,
    input: Box<dyn BufRead>,
    row: u64,
}

impl RowStream {
    pub fn new(input: Box<dyn BufRead>) -> RowStream {
        RowStream { files: Vec::new(), index: HashMap::new(), input, row: 0 }
    }

    /// As [`LineStream::next_batch`].
    pub fn next_batch(
        &mut self,
        max_lines: usize,
        max_bytes: usize,
    ) -> Result<Option<Vec<InputLine>>> {
        batch_of(max_lines, max_bytes, || self.next_line())
    }

    fn next_line(&mut self) -> Result<Option<InputLine>> {
        loop {
            let mut bytes = Vec::new();
            let (read, too_long) = read_line(self.input.as_mut(), &mut bytes, LineEnds::Lf)
                .map_err(Error::read("-"))?;
            if read == 0 {
                return Ok(None);
            }
            self.row += 1;
            let bad = |problem: &str| Error::Input {
                path: PathBuf::from("-"),
                problem: format!(
                    "row {}: {problem}; --rows reads FILE<TAB>LINE<TAB>TEXT",
                    self.row
                ),
            };
            let mut fields = bytes.splitn(3, |&b| b == b'\t');
            let (Some(file), Some(line), Some(text)) =
                (fields.next(), fields.next(), fields.next())
            else {
                if bytes.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                return Err(bad("fewer than three tab-separated fields"));
            };
            let file = std::str::from_utf8(file).map_err(|_| bad("the file name is not UTF-8"))?;
            let line_no: u64 = std::str::from_utf8(line)
                .ok()
                .and_then(|l| l.trim().parse().ok())
                .filter(|&n| n > 0)
                .ok_or_else(|| bad("LINE is not a line number (1, 2, …)"))?;
            // Known from its first row, even a blank one: a file of blank lines is still an
            // input, as when it is read whole.
            let file = match self.index.get(file) {
                Some(&index) => index,
                None => {
                    let index = self.files.len() as u32;
                    self.files.push(InputFile::named(file, Format::JsonLines));
                    self.index.insert(file.to_string(), index);
                    index
                }
            };
            let mut text = text.to_vec();
            if text.last() == Some(&b'\r') {
                text.pop();
            }
            if line_no == 1 && text.starts_with(b"\xEF\xBB\xBF") {
                text.drain(..3);
            }
            if text.iter().all(u8::is_ascii_whitespace) && !too_long {
                continue;
            }
            self.files[file as usize].lines += 1;
            self.files[file as usize].bytes += text.len() as u64 + 1;
            return Ok(Some(InputLine {
                file,
                line_no,
                bytes: text,
                too_long,
                rows: 1,
                reject: None,
            }));
        }
    }
}

/// Up to `max_lines` lines from `next` or about `max_bytes`; `None` when it has no more.
fn batch_of(
    max_lines: usize,
    max_bytes: usize,
    mut next: impl FnMut() -> Result<Option<InputLine>>,
) -> Result<Option<Vec<InputLine>>> {
    let mut batch = Vec::with_capacity(max_lines.min(4096));
    let mut batch_bytes = 0;
    while batch.len() < max_lines && batch_bytes < max_bytes {
        let Some(line) = next()? else { break };
        batch_bytes += line.bytes.len();
        batch.push(line);
    }
    Ok(if batch.is_empty() { None } else { Some(batch) })
}

/// What ends a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineEnds {
    /// `\n` (and so `\r\n`).
    Lf,
    /// `\n`, `\r\n` or a lone `\r`.
    AnyOf,
}

/// Why the start of an input cannot be UTF-8 text, if it cannot: a UTF-16 byte-order mark, or
/// the NUL bytes UTF-16 puts beside every ASCII character.
fn not_utf8(start: &[u8]) -> Option<String> {
    let utf16 = start.starts_with(&[0xFF, 0xFE])
        || start.starts_with(&[0xFE, 0xFF])
        || matches!(start, [a, 0, b, 0, ..] | [0, a, 0, b, ..] if a.is_ascii() && b.is_ascii() && *a != 0 && *b != 0);
    utf16.then(|| {
        "is UTF-16 text; zhijian reads UTF-8: convert it first (iconv -f UTF-16 -t UTF-8)".into()
    })
}

/// Concatenated gzip members, like `MultiGzDecoder`, and like gzip(1) it ignores zero bytes
/// after the last member (padding that tape tools and some exporters add). Anything else after
/// a member must be another member, or reading fails.
struct GzipMembers<R: BufRead> {
    decoder: Option<GzDecoder<R>>,
}

impl<R: BufRead> Read for GzipMembers<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(decoder) = self.decoder.as_mut() else { return Ok(0) };
            let n = decoder.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            let mut rest = self.decoder.take().expect("checked above").into_inner();
            loop {
                let available = rest.fill_buf()?;
                let zeros = available.iter().take_while(|&&b| b == 0).count();
                if available.is_empty() {
                    return Ok(0);
                }
                if zeros == 0 {
                    self.decoder = Some(GzDecoder::new(rest));
                    break;
                }
                if zeros < available.len() {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "bytes after the gzip data's zero padding",
                    ));
                }
                rest.consume(zeros);
            }
        }
    }
}

/// Reads one line without its line end (see [`LineEnds`]). Past [`MAX_LINE_BYTES`] it keeps
/// only the first [`KEPT_BYTES`] and skips to the next line end, so one giant line cannot
/// exhaust memory.
pub(crate) fn read_line(
    reader: &mut dyn BufRead,
    out: &mut Vec<u8>,
    ends: LineEnds,
) -> io::Result<(usize, bool)> {
    let mut read = 0;
    let mut too_long = false;
    let mut lone_cr = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        let end = |&b: &u8| b == b'\n' || (b == b'\r' && ends == LineEnds::AnyOf);
        let (chunk, done) = match available.iter().position(end) {
            Some(at) => {
                lone_cr = available[at] == b'\r';
                (&available[..=at], true)
            }
            None => (available, false),
        };
        let len = chunk.len();
        if !too_long {
            out.extend_from_slice(chunk);
            if out.len() > MAX_LINE_BYTES {
                out.truncate(KEPT_BYTES);
                too_long = true;
            }
        }
        read += len;
        reader.consume(len);
        if done {
            break;
        }
    }
    if lone_cr {
        // A CR that ends a line may be the first half of a CRLF.
        if reader.fill_buf()?.first() == Some(&b'\n') {
            reader.consume(1);
            read += 1;
        }
        if out.last() == Some(&b'\r') {
            out.pop();
        }
    } else if out.last() == Some(&b'\n') {
        out.pop();
        if out.last() == Some(&b'\r') {
            out.pop();
        }
    }
    Ok((read, too_long))
}

struct CountingReader {
    inner: Box<dyn Read>,
    count: Arc<AtomicU64>,
    digest: Arc<Mutex<Sha256>>,
}

impl Read for CountingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        self.digest.lock().expect("never poisoned").update(&buf[..n]);
        Ok(n)
    }
}
