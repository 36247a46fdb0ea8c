//! An incremental decoder for server-sent events, as OpenAI-compatible
//! servers stream chat completions: `data: {...}` lines, an event ending at
//! a blank line, `\n` or `\r\n` line endings, `:` comment lines. Bytes go in
//! as the network delivers them; whole events' data come out.

/// The longest line kept in memory; a server sending more without a line
/// break is broken, and the caller reports it instead of buffering forever.
pub const MAX_LINE: usize = 8 * 1024 * 1024;

#[derive(Debug, Default)]
pub struct Decoder {
    /// Bytes of the line not yet ended.
    line: Vec<u8>,
    /// `data` lines of the event being read, joined with `\n`.
    data: Option<String>,
    /// A `\r` ended the last line: a following `\n` belongs to it.
    after_cr: bool,
}

#[derive(Debug, PartialEq, Eq)]
pub struct LineTooLong;

impl Decoder {
    pub fn new() -> Decoder {
        Decoder::default()
    }

    /// Feeds bytes; returns the data of every event they complete.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<Vec<String>, LineTooLong> {
        let mut events = Vec::new();
        for &b in bytes {
            if self.after_cr {
                self.after_cr = false;
                if b == b'\n' {
                    continue;
                }
            }
            match b {
                b'\n' | b'\r' => {
                    self.after_cr = b == b'\r';
                    let line = std::mem::take(&mut self.line);
                    if let Some(data) = self.end_line(&line) {
                        events.push(data);
                    }
                }
                _ => {
                    if self.line.len() >= MAX_LINE {
                        return Err(LineTooLong);
                    }
                    self.line.push(b);
                }
            }
        }
        Ok(events)
    }

    /// The stream ended: the data of an event left without its blank line.
    pub fn finish(&mut self) -> Option<String> {
        let line = std::mem::take(&mut self.line);
        if !line.is_empty()
            && let Some(data) = self.end_line(&line)
        {
            return Some(data);
        }
        self.data.take()
    }

    fn end_line(&mut self, line: &[u8]) -> Option<String> {
        if line.is_empty() {
            return self.data.take();
        }
        let line = String::from_utf8_lossy(line);
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line.as_ref(), ""),
        };
        if field == "data" {
            match &mut self.data {
                Some(d) => {
                    d.push('\n');
                    d.push_str(value);
                }
                None => self.data = Some(value.to_string()),
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(chunks: &[&[u8]]) -> Vec<String> {
        let mut d = Decoder::new();
        let mut out = Vec::new();
        for c in chunks {
            out.extend(d.feed(c).unwrap());
        }
        out.extend(d.finish());
        out
    }

    #[test]
    fn events_split_anywhere_come_out_whole() {
        let text = b"data: {\"a\":1}\n\ndata: [DONE]\n\n";
        for cut in 0..text.len() {
            let (a, b) = text.split_at(cut);
            assert_eq!(all(&[a, b]), ["{\"a\":1}", "[DONE]"], "cut at {cut}");
        }
    }

    #[test]
    fn crlf_comments_and_multiline_data() {
        let text = b": keep-alive\r\n\r\nevent: x\r\ndata: one\r\ndata:two\r\n\r\ndata: last";
        assert_eq!(all(&[text]), ["one\ntwo", "last"]);
    }

    #[test]
    fn crlf_split_between_cr_and_lf_is_one_line_end() {
        assert_eq!(all(&[b"data: a\r", b"\n\r", b"\ndata: b\n\n"]), ["a", "b"]);
    }

    #[test]
    fn an_endless_line_is_refused() {
        let mut d = Decoder::new();
        let chunk = vec![b'x'; 1024 * 1024];
        let mut result = Ok(Vec::new());
        for _ in 0..=MAX_LINE / chunk.len() {
            result = d.feed(&chunk);
            if result.is_err() {
                break;
            }
        }
        assert_eq!(result, Err(LineTooLong));
    }
}
