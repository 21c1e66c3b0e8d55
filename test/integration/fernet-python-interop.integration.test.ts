import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encrypt, parseFernetKey, rotate } from '../../src/adapters/crypto/fernet.js';
import { FernetSecretCipher } from '../../src/adapters/crypto/fernet-secret-cipher.js';

// Tokens made by our code must be read by real Python `cryptography` (the reverse of the unit tests).
// Debian's python, not a pyenv one on PATH: CI installs the `python3-cryptography` package for it.
const PYTHON = '/usr/bin/python3';

// Reads [{key, token}] on stdin and prints [{plaintext_b64, timestamp} | {error}] in the same order.
const DECRYPT_SCRIPT = `
import base64, json, sys
from cryptography.fernet import Fernet, InvalidToken
results = []
for item in json.load(sys.stdin):
    f = Fernet(item["key"])
    try:
        plaintext = f.decrypt(item["token"].encode("ascii"))
        results.append({"plaintext_b64": base64.b64encode(plaintext).decode("ascii"),
                        "timestamp": f.extract_timestamp(item["token"].encode("ascii"))})
    except InvalidToken:
        results.append({"error": "InvalidToken"})
json.dump(results, sys.stdout)
`;

interface PythonResult {
  readonly plaintext_b64?: string;
  readonly timestamp?: number;
  readonly error?: string;
}

interface Interop {
  readonly cases: { id: string; key: string; plaintext_b64: string }[];
  readonly multifernet: {
    keys: { A_old: string; B_new: string };
    plaintext: string;
    token_by_A: string;
    token_by_A_fields: { timestamp: number };
  };
}

const interop = JSON.parse(
  readFileSync(new URL('../../../shared/fernet/python-interop.json', import.meta.url), 'utf8'),
) as Interop;
const mf = interop.multifernet;

// -I: isolated mode, so only the system site-packages (the Debian package) can satisfy the import.
function runPython(args: string[], input = ''): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(PYTHON, ['-I', ...args], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return {
    status: result.status,
    stdout: result.stdout ?? '',
    stderr: result.stderr ?? String(result.error),
  };
}

let pythonChecked = false;

/** Throws (so every test fails, rather than skips) when Debian's python3-cryptography is missing. */
function requirePythonCryptography(): void {
  if (pythonChecked) return;
  const { status, stderr } = runPython(['-c', 'import cryptography.fernet']);
  if (status !== 0) {
    throw new Error(
      `${PYTHON} cannot import cryptography.fernet: install the Debian package with ` +
        `"apt-get install -y python3-cryptography". ${stderr}`,
    );
  }
  pythonChecked = true;
}

function pythonDecrypt(items: readonly { key: string; token: string }[]): PythonResult[] {
  requirePythonCryptography();
  const { status, stdout, stderr } = runPython(['-c', DECRYPT_SCRIPT], JSON.stringify(items));
  if (status !== 0) throw new Error(`python decrypt script failed (${status}): ${stderr}`);
  return JSON.parse(stdout) as PythonResult[];
}

describe('Python cryptography reads tokens made by our Fernet', () => {
  it(`${PYTHON} has the cryptography package`, () => {
    requirePythonCryptography();
  });

  it('decrypts every interop plaintext encrypted by us to the exact bytes', async () => {
    const items = await Promise.all(
      interop.cases.map(async (c) => ({
        key: c.key,
        token: await encrypt(
          await parseFernetKey(c.key),
          new Uint8Array(Buffer.from(c.plaintext_b64, 'base64')),
        ),
      })),
    );
    const results = pythonDecrypt(items);
    expect(results.map((r) => r.plaintext_b64)).toEqual(interop.cases.map((c) => c.plaintext_b64));
  });

  it('writes timestamps Python reads back, up to 2^32+1 and the year 2100', async () => {
    const key = interop.multifernet.keys.A_old;
    const stamps = [0, 1700000000, 2 ** 32 + 1, 4102444800];
    const parsed = await parseFernetKey(key);
    const items = await Promise.all(
      stamps.map(async (stamp) => ({
        key,
        token: await encrypt(parsed, new TextEncoder().encode('t'), stamp),
      })),
    );
    expect(pythonDecrypt(items).map((r) => r.timestamp)).toEqual(stamps);
  });

  it('a keyring-sealed token opens with the first key only, and our rotate() keeps the timestamp', async () => {
    const cipher = await FernetSecretCipher.fromKeyList(`${mf.keys.B_new},${mf.keys.A_old}`);
    const sealed = await cipher.seal(mf.plaintext);
    const keys = await Promise.all([mf.keys.B_new, mf.keys.A_old].map(parseFernetKey));
    const rotated = await rotate(keys, mf.token_by_A);
    const results = pythonDecrypt([
      { key: mf.keys.B_new, token: sealed },
      { key: mf.keys.A_old, token: sealed },
      { key: mf.keys.B_new, token: rotated },
      { key: mf.keys.A_old, token: rotated },
    ]);
    const expected = Buffer.from(mf.plaintext).toString('base64');
    expect(results[0]?.plaintext_b64).toBe(expected);
    expect(results[1]).toEqual({ error: 'InvalidToken' });
    expect(results[2]).toEqual({ plaintext_b64: expected, timestamp: mf.token_by_A_fields.timestamp });
    expect(results[3]).toEqual({ error: 'InvalidToken' });
  });
});
