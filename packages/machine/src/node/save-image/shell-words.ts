/**
 * Splits a POSIX shell command line into words: single quotes, double quotes (with `\\`
 * `\"` `\$` `` \` `` escapes), backslash escapes and backslash-newline continuations. Enough for
 * what `virsh domxml-to-native qemu-argv` prints; expansions are not performed.
 */
export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\") {
      const next = text[i + 1];
      i++;
      if (next === "\n" || next === undefined) continue;
      word = (word ?? "") + next;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      const stop = end < 0 ? text.length : end;
      word = (word ?? "") + text.slice(i + 1, stop);
      i = stop;
    } else if (c === '"') {
      word ??= "";
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === "\\" && /["\\$`\n]/.test(text[i + 1] ?? "")) {
          i++;
          if (text[i] !== "\n") word += text[i];
        } else word += text[i];
      }
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? "") + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** Drops leading `NAME=value` environment assignments (`LC_ALL=C PATH=… qemu-system-x86_64 …`). */
export function withoutEnvironment(words: readonly string[]): string[] {
  let i = 0;
  while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!)) i++;
  return words.slice(i);
}
