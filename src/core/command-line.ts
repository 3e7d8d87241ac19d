// Splitting a command line given as one string (a setting, a tool parameter) into argv, POSIX-shell
// style: whitespace separates words, single quotes are literal, double quotes allow \" and \\, a
// backslash outside quotes escapes the next character. No expansion of any kind: nothing is run
// through a shell.

export function splitCommandLine(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === "\\" && (text[i + 1] === '"' || text[i + 1] === "\\")) word += text[++i];
      else word += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote === "'" ? "single" : "double"} quote`);
  if (inWord) words.push(word);
  if (words.length === 0) throw new Error("empty command line");
  return words;
}
