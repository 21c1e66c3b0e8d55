/** Ends the process with one line on stderr: how every runtime entry refuses to start. */
export function stop(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}
