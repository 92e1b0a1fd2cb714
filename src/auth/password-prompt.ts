// How the CLI reads a password: from a pipe as it comes (`echo … | user:add`), or typed at a terminal without showing
// it. At a terminal the characters used to be echoed as typed, on the administrator's screen and in its scrollback.

/** What has been typed so far at the hidden prompt, and whether the line is done or given up (Ctrl-C, Ctrl-D). */
export interface Typed {
  value: string;
  done: boolean;
  cancelled: boolean;
}

/**
 * The hidden prompt's line after `keys` (one key or a whole paste) arrive in raw mode: Enter ends it, Backspace takes
 * back one character (a whole letter with its marks when typed precomposed), Ctrl-U clears it, Ctrl-C or Ctrl-D on an
 * empty line gives up; other control keys and escape sequences (arrows) are ignored, not taken into the password.
 */
export function typeKeys(before: Typed, keys: string): Typed {
  if (before.done || before.cancelled) return before;
  let value = before.value;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (key === '\r' || key === '\n') return { value, done: true, cancelled: false };
    if (key === '\u0003' || (key === '\u0004' && value === '')) return { value: '', done: false, cancelled: true };
    if (key === '\u007f' || key === '\b') value = Array.from(value).slice(0, -1).join('');
    else if (key === '\u0015') value = '';
    else if (key === '\u001b') {
      // an escape sequence: ESC [ … final letter (arrows, Home, Delete), or ESC and one key
      if (keys[i + 1] === '[') {
        i += 2;
        while (i < keys.length && !/[A-Za-z~]/.test(keys[i])) i++;
      } else i++;
    } else if (key >= ' ') value += key;
  }
  return { value, done: false, cancelled: false };
}

/** The standard input read to its end, its last line break taken off: a password given through a pipe. */
async function piped(input: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** One line typed at the terminal, nothing shown; null when given up. */
function hiddenLine(input: NodeJS.ReadStream, output: NodeJS.WriteStream, prompt: string): Promise<string | null> {
  // Echo off before the prompt shows: keys typed as soon as it shows must not be echoed by the terminal.
  input.setRawMode(true);
  output.write(prompt);
  input.setEncoding('utf8');
  input.resume();
  return new Promise((resolve) => {
    let typed: Typed = { value: '', done: false, cancelled: false };
    const onData = (keys: string) => {
      typed = typeKeys(typed, keys);
      if (!typed.done && !typed.cancelled) return;
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      resolve(typed.cancelled ? null : typed.value);
    };
    input.on('data', onData);
  });
}

/**
 * A new password: from the pipe when standard input is not a terminal; at a terminal typed twice, hidden, and the two
 * must agree (a typo in a hidden password would lock its owner out). Throws with the reason in Vietnamese.
 */
export async function readNewPassword(input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Promise<string> {
  if (!input.isTTY) return piped(input);
  const first = await hiddenLine(input, output, 'Mật khẩu mới (không hiện khi gõ): ');
  if (first === null) throw new Error('Đã hủy: chưa đặt mật khẩu.');
  const again = await hiddenLine(input, output, 'Gõ lại mật khẩu: ');
  if (again === null) throw new Error('Đã hủy: chưa đặt mật khẩu.');
  if (again !== first) throw new Error('Hai lần gõ mật khẩu không giống nhau; chưa đặt mật khẩu.');
  return first;
}
