import { createInterface } from "node:readline";
import { Writable } from "node:stream";

/**
 * Questions on the terminal (stderr, so stdout stays for results); a hidden answer is not echoed.
 * From a pipe the answers are read line by line, which is how tests and scripts answer.
 */
export function createPrompt(input: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin) {
  let muted = false;
  const echo = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input, output: echo, terminal: Boolean(input.isTTY), prompt: "" });
  // In terminal mode readline takes Ctrl+C itself; it still means "stop".
  rl.on("SIGINT", () => {
    rl.close();
    process.stderr.write("\n");
    process.exit(130);
  });
  const lines = rl[Symbol.asyncIterator]();
  async function ask(question: string, hidden = false): Promise<string> {
    process.stderr.write(question);
    muted = hidden;
    const next = await lines.next();
    muted = false;
    if (hidden && input.isTTY) process.stderr.write("\n");
    if (next.done) throw new Error(`no answer to "${question.trim()}" (input ended)`);
    return next.value;
  }
  return { ask, close: () => rl.close() };
}
