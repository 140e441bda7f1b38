import * as readline from "readline";

/** Asks a yes/no question on the terminal (default no); false at once when stdin is not a terminal. */
export async function askYesNo(question: string, output: NodeJS.WritableStream = process.stderr): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = readline.createInterface({ input: process.stdin, output });
  const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}
