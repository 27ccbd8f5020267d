//! PostgreSQL's default text parser, for the token types that reach an index: words
//! (ASCII or not, with digits), hyphenated words and their parts, integers (signed),
//! decimals and versions, scientific numbers, e-mail addresses, URLs with their host and
//! path, host names and file paths. Everything else (spaces, punctuation, protocols such
//! as `http://`, tags) separates tokens and is not indexed.

/// A token's type, named as PostgreSQL's `ts_token_type` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenType {
    /// `asciiword`: ASCII letters.
    AsciiWord,
    /// `word`: letters, some not ASCII.
    Word,
    /// `numword`: letters and digits.
    NumWord,
    /// `asciihword`: a hyphenated word of ASCII letters.
    AsciiHword,
    /// `hword`: a hyphenated word of letters.
    Hword,
    /// `numhword`: a hyphenated word with digits.
    NumHword,
    /// `hword_asciipart`: a part of a hyphenated word, ASCII letters.
    HwordAsciiPart,
    /// `hword_part`: a part of a hyphenated word, letters.
    HwordPart,
    /// `hword_numpart`: a part of a hyphenated word, with digits.
    HwordNumPart,
    /// `email`
    Email,
    /// `url`
    Url,
    /// `host`
    Host,
    /// `url_path`
    UrlPath,
    /// `file`
    File,
    /// `uint`
    UnsignedInt,
    /// `int`: a signed integer.
    SignedInt,
    /// `float`: a decimal.
    Float,
    /// `sfloat`: scientific notation.
    ScientificFloat,
    /// `version`: dotted numbers.
    Version,
}

impl TokenType {
    /// Whether a configuration sends the token to its language dictionary (the word
    /// types of letters) rather than to `simple`.
    pub fn is_language_word(self) -> bool {
        matches!(
            self,
            TokenType::AsciiWord
                | TokenType::Word
                | TokenType::AsciiHword
                | TokenType::Hword
                | TokenType::HwordAsciiPart
                | TokenType::HwordPart
        )
    }
}

/// A token: its type and text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// The type.
    pub kind: TokenType,
    /// The text as written.
    pub text: String,
}

/// A letter or digit. As in PostgreSQL under the C locale, every character outside
/// ASCII counts as a letter.
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || !c.is_ascii()
}

fn is_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || !c.is_ascii()
}

/// A character of a host label.
fn is_host_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Splits `text` into the tokens a configuration indexes, in PostgreSQL's order (a
/// hyphenated word before its parts, a URL before its host and path).
pub fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if let Some(end) = protocol_end(&chars, i) {
            i = end;
            continue;
        }
        if c == '<' {
            if let Some(end) = tag_end(&chars, i) {
                i = end;
                continue;
            }
        }
        if c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
            if let Some(end) = number(&chars, i, &mut tokens) {
                i = end;
                continue;
            }
        }
        if c == '/'
            && chars
                .get(i + 1)
                .is_some_and(|&n| n.is_ascii_alphanumeric() || n == '.')
        {
            let end = path_end(&chars, i);
            push(&mut tokens, TokenType::File, &chars[i..end]);
            i = end;
            continue;
        }
        if !is_word_char(c) {
            i += 1;
            continue;
        }
        i = word_like(&chars, i, &mut tokens);
    }
    tokens
}

fn push(tokens: &mut Vec<Token>, kind: TokenType, chars: &[char]) {
    tokens.push(Token {
        kind,
        text: chars.iter().collect(),
    });
}

/// The end of `letters://` at `i`.
fn protocol_end(chars: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    while chars.get(j).is_some_and(char::is_ascii_alphabetic) {
        j += 1;
    }
    if j > i && chars.get(j..j + 3) == Some(&[':', '/', '/']) {
        Some(j + 3)
    } else {
        None
    }
}

/// The end of an XML/HTML tag at `i` (`<b>`, `</a>`, `<a href="x">`).
fn tag_end(chars: &[char], i: usize) -> Option<usize> {
    let mut j = i + 1;
    if chars.get(j) == Some(&'/') {
        j += 1;
    }
    if !chars.get(j).is_some_and(char::is_ascii_alphabetic) {
        return None;
    }
    while let Some(&c) = chars.get(j) {
        if c == '>' {
            return Some(j + 1);
        }
        if c == '<' {
            return None;
        }
        j += 1;
    }
    None
}

/// The end of a path from `i`: word characters, `.`, `-`, `_`, `~` and `/`, not ending
/// in punctuation.
fn path_end(chars: &[char], i: usize) -> usize {
    let mut j = i;
    while chars
        .get(j)
        .is_some_and(|&c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '~' | '/'))
    {
        j += 1;
    }
    while j > i + 1 && matches!(chars[j - 1], '.' | '-' | '_' | '~' | '/') {
        j -= 1;
    }
    j
}

/// The end of a run of word characters from `i`.
fn run_end(chars: &[char], i: usize) -> usize {
    let mut j = i;
    while chars.get(j).is_some_and(|&c| is_word_char(c)) {
        j += 1;
    }
    j
}

/// A number at `i` (optionally signed): an integer, a decimal, a version or scientific
/// notation; `None` when the text there is not one (the caller reads a word).
fn number(chars: &[char], i: usize, tokens: &mut Vec<Token>) -> Option<usize> {
    let signed = chars[i] == '-';
    let start_digits = if signed { i + 1 } else { i };
    let mut j = start_digits;
    while chars.get(j).is_some_and(char::is_ascii_digit) {
        j += 1;
    }
    if j == start_digits {
        return None;
    }
    // Digits followed by letters form a word with digits, not a number.
    if chars.get(j).is_some_and(|&c| is_letter(c)) {
        if signed {
            push(tokens, TokenType::SignedInt, &chars[i..j]);
            return Some(j);
        }
        return None;
    }
    let mut dots = 0;
    while chars.get(j) == Some(&'.') && chars.get(j + 1).is_some_and(char::is_ascii_digit) {
        let mut k = j + 1;
        while chars.get(k).is_some_and(char::is_ascii_digit) {
            k += 1;
        }
        if chars.get(k).is_some_and(|&c| is_letter(c)) {
            break;
        }
        j = k;
        dots += 1;
    }
    if dots <= 1 && matches!(chars.get(j), Some('e' | 'E')) {
        let mut k = j + 1;
        if matches!(chars.get(k), Some('+' | '-')) {
            k += 1;
        }
        let exp_start = k;
        while chars.get(k).is_some_and(char::is_ascii_digit) {
            k += 1;
        }
        if k > exp_start && !chars.get(k).is_some_and(|&c| is_word_char(c)) {
            push(tokens, TokenType::ScientificFloat, &chars[i..k]);
            return Some(k);
        }
    }
    let kind = match (dots, signed) {
        (0, false) => TokenType::UnsignedInt,
        (0, true) => TokenType::SignedInt,
        (1, _) => TokenType::Float,
        _ => TokenType::Version,
    };
    if dots >= 2 && signed {
        return None;
    }
    push(tokens, kind, &chars[i..j]);
    Some(j)
}

/// The classification of a run of word characters.
fn word_type(part: &[char]) -> TokenType {
    if part.iter().any(char::is_ascii_digit) {
        TokenType::NumWord
    } else if part.iter().all(char::is_ascii_alphabetic) {
        TokenType::AsciiWord
    } else {
        TokenType::Word
    }
}

/// A token starting with a word character at `i`: an e-mail address, a URL, a host, a
/// file path, a number, a hyphenated word or a word.
fn word_like(chars: &[char], i: usize, tokens: &mut Vec<Token>) -> usize {
    if let Some(end) = email(chars, i, tokens) {
        return end;
    }
    if let Some(end) = dotted(chars, i, tokens) {
        return end;
    }
    if chars[i].is_ascii_digit() {
        let digits_end = run_end(chars, i);
        if chars[i..digits_end].iter().all(char::is_ascii_alphanumeric)
            && chars.get(digits_end) == Some(&'/')
            && chars
                .get(digits_end + 1)
                .is_some_and(char::is_ascii_alphanumeric)
        {
            let end = path_end(chars, i);
            push(tokens, TokenType::File, &chars[i..end]);
            return end;
        }
        if let Some(end) = number(chars, i, tokens) {
            return end;
        }
    }
    let first_end = run_end(chars, i);
    if chars[i..first_end].iter().all(char::is_ascii_alphanumeric)
        && chars.get(first_end) == Some(&'/')
        && chars
            .get(first_end + 1)
            .is_some_and(|&c| c.is_ascii_alphanumeric() || c == '.')
    {
        let end = path_end(chars, i);
        push(tokens, TokenType::File, &chars[i..end]);
        return end;
    }
    // Hyphenated parts: each must start with a letter, or hold a letter.
    let mut parts = vec![(i, first_end)];
    let mut j = first_end;
    while chars.get(j) == Some(&'-') && chars.get(j + 1).is_some_and(|&c| is_word_char(c)) {
        let end = run_end(chars, j + 1);
        if chars[j + 1..end].iter().all(char::is_ascii_digit) {
            break;
        }
        parts.push((j + 1, end));
        j = end;
    }
    if parts.len() == 1 {
        push(
            tokens,
            word_type(&chars[i..first_end]),
            &chars[i..first_end],
        );
        return first_end;
    }
    let types: Vec<TokenType> = parts
        .iter()
        .map(|&(s, e)| word_type(&chars[s..e]))
        .collect();
    let compound = if types.contains(&TokenType::NumWord) {
        TokenType::NumHword
    } else if types.iter().all(|t| *t == TokenType::AsciiWord) {
        TokenType::AsciiHword
    } else {
        TokenType::Hword
    };
    push(tokens, compound, &chars[i..j]);
    for (&(s, e), t) in parts.iter().zip(types) {
        let kind = match t {
            TokenType::NumWord => TokenType::HwordNumPart,
            TokenType::AsciiWord => TokenType::HwordAsciiPart,
            _ => TokenType::HwordPart,
        };
        push(tokens, kind, &chars[s..e]);
    }
    // After a hyphenated word, a hyphen before digits is not a sign.
    if chars.get(j) == Some(&'-') && chars.get(j + 1).is_some_and(char::is_ascii_digit) {
        j += 1;
    }
    j
}

/// Host labels from `i`: word characters and inner hyphens, joined by dots; returns the
/// end and the number of dots.
fn host_end(chars: &[char], i: usize) -> (usize, usize) {
    let mut j = i;
    let mut dots = 0;
    loop {
        let label_start = j;
        while chars
            .get(j)
            .is_some_and(|&c| is_host_char(c) || (c == '-' && j > label_start))
        {
            j += 1;
        }
        while j > label_start && chars[j - 1] == '-' {
            j -= 1;
        }
        if chars.get(j) == Some(&'.') && chars.get(j + 1).is_some_and(|&c| is_host_char(c)) {
            j += 1;
            dots += 1;
            continue;
        }
        return (j, dots);
    }
}

/// `local@host.domain` at `i`.
fn email(chars: &[char], i: usize, tokens: &mut Vec<Token>) -> Option<usize> {
    let mut j = i;
    while chars
        .get(j)
        .is_some_and(|&c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+'))
    {
        j += 1;
    }
    if chars.get(j) != Some(&'@') || !chars.get(j + 1).is_some_and(char::is_ascii_alphanumeric) {
        return None;
    }
    let (end, dots) = host_end(chars, j + 1);
    if dots == 0 {
        return None;
    }
    push(tokens, TokenType::Email, &chars[i..end]);
    Some(end)
}

/// A dotted name at `i`: a host (with an optional `:port`), a URL (a host and a path), a
/// file name, or a number (left to [`number`]).
fn dotted(chars: &[char], i: usize, tokens: &mut Vec<Token>) -> Option<usize> {
    if chars[i].is_ascii_digit() {
        return None;
    }
    let (mut end, dots) = host_end(chars, i);
    if dots == 0 {
        return None;
    }
    // A host's last label is letters; a host ends where they do, unless a digit follows
    // (then the whole is a file name).
    let last_dot = chars[i..end]
        .iter()
        .rposition(|&c| c == '.')
        .map_or(i, |p| i + p);
    let letters_end = (last_dot + 1..end)
        .find(|&k| !chars[k].is_ascii_alphabetic())
        .unwrap_or(end);
    if letters_end - last_dot - 1 >= 2 && !chars.get(letters_end).is_some_and(char::is_ascii_digit)
    {
        end = letters_end;
    }
    let text = &chars[i..end];
    let labels: Vec<&[char]> = text.split(|&c| c == '.').collect();
    if labels.iter().all(|l| l.iter().all(char::is_ascii_digit)) {
        return None;
    }
    let last = labels.last().copied().unwrap_or(&[]);
    let is_host = last.len() >= 2 && last.iter().all(char::is_ascii_alphabetic);
    if !is_host && text.contains(&'_') {
        // Not a host: a file name has no underscore, so the name splits there.
        return None;
    }
    let mut host_stop = end;
    if is_host && chars.get(end) == Some(&':') {
        let mut k = end + 1;
        while chars.get(k).is_some_and(char::is_ascii_digit) {
            k += 1;
        }
        if k > end + 1 {
            host_stop = k;
        }
    }
    if is_host && chars.get(host_stop) == Some(&'/') {
        let mut path_stop = host_stop + 1;
        while chars
            .get(path_stop)
            .is_some_and(|&c| !c.is_whitespace() && !matches!(c, '"' | '<' | '>'))
        {
            path_stop += 1;
        }
        if path_stop > host_stop + 1 {
            push(tokens, TokenType::Url, &chars[i..path_stop]);
            push(tokens, TokenType::Host, &chars[i..host_stop]);
            push(tokens, TokenType::UrlPath, &chars[host_stop..path_stop]);
            return Some(path_stop);
        }
    }
    if is_host {
        push(tokens, TokenType::Host, &chars[i..host_stop]);
        return Some(host_stop);
    }
    if chars.get(end) == Some(&'/') {
        let path_stop = path_end(chars, i);
        push(tokens, TokenType::File, &chars[i..path_stop]);
        return Some(path_stop);
    }
    push(tokens, TokenType::File, text);
    Some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        tokenize(text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn words_numbers_and_compounds() {
        assert_eq!(
            texts("foo-bar x_y python3 1.5 1.2.3 -1 abc-123"),
            ["foo-bar", "foo", "bar", "x", "y", "python3", "1.5", "1.2.3", "-1", "abc", "-123"]
        );
    }

    #[test]
    fn urls_hosts_emails_files() {
        assert_eq!(
            texts("http://example.com/stuff/index.html foo@bar.com node.js /usr/local/bin"),
            [
                "example.com/stuff/index.html",
                "example.com",
                "/stuff/index.html",
                "foo@bar.com",
                "node.js",
                "/usr/local/bin"
            ]
        );
    }
}
