//! Stage 1 — reading. Takes the command line's inputs (files, directories searched
//! recursively for `*.jsonl`, `*.csv`, `*.tsv`, each optionally `.gz`, or `-` for stdin),
//! yields numbered raw lines in batches; tables go through `table`, which turns their rows
//! into one line per ticket. Files are read in sorted path order so a run does not depend on the order inputs
//! were named in. gzip is recognized by its magic bytes, so a compressed stdin works too. Lines
//! stay bytes here: invalid UTF-8 is the parser's to reject, not a reason to stop reading.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use flate2::read::MultiGzDecoder;

use crate::error::{Error, Result};
use crate::parse::RejectCode;
use crate::table::{TableMapping, TableReader};

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    JsonLines,
    /// One message per row, read through the run's table mapping.
    Table,
}

impl Format {
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
        });
    }
    if stdin {
        files.push(InputFile {
            display: "-".into(),
            path: None,
            format: other,
            bytes: 0,
            lines: 0,
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
        }
    }

    /// Up to `max_lines` non-blank lines or about `max_bytes`, whichever comes first; `None`
    /// at the end of the last input.
    pub fn next_batch(
        &mut self,
        max_lines: usize,
        max_bytes: usize,
    ) -> Result<Option<Vec<InputLine>>> {
        let mut batch = Vec::with_capacity(max_lines.min(4096));
        let mut batch_bytes = 0;
        while batch.len() < max_lines && batch_bytes < max_bytes {
            let Some(line) = self.next_line()? else { break };
            batch_bytes += line.bytes.len();
            batch.push(line);
        }
        Ok(if batch.is_empty() { None } else { Some(batch) })
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
                        self.current = None;
                        continue;
                    }
                },
            };
            let mut bytes = Vec::new();
            let (read, too_long) = read_line(reader.as_mut(), &mut bytes)
                .map_err(|source| self.read_error(file, source))?;
            if read == 0 {
                self.current = None;
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
        let counting = CountingReader { inner: raw, count: Arc::clone(&self.bytes_read) };
        let mut buffered = BufReader::with_capacity(256 << 10, counting);
        let is_gzip = buffered
            .fill_buf()
            .map_err(|source| self.read_error(index, source))?
            .starts_with(&[0x1f, 0x8b]);
        let reader: Box<dyn BufRead> = if is_gzip {
            Box::new(BufReader::with_capacity(256 << 10, MultiGzDecoder::new(buffered)))
        } else {
            Box::new(buffered)
        };
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
        let table = match (&input.path, is_gzip) {
            (Some(path), false) => {
                TableReader::index(index, &name, reader, path.clone(), None, mapping)?
            }
            _ => {
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

/// Reads one line without its `\n` / `\r\n`. Past [`MAX_LINE_BYTES`] it keeps only the first
/// [`KEPT_BYTES`] and skips to the next newline, so one giant line cannot exhaust memory.
pub(crate) fn read_line(reader: &mut dyn BufRead, out: &mut Vec<u8>) -> io::Result<(usize, bool)> {
    let mut read = 0;
    let mut too_long = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(at) => (&available[..=at], true),
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
    if out.last() == Some(&b'\n') {
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
}

impl Read for CountingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}
