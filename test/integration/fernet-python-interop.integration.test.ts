import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  encrypt,
  type FernetKeyMaker,
  parseFernetKey,
  rotate,
  webCryptoFernetKey,
} from '../../src/adapters/crypto/fernet.js';
import { FernetSecretCipher } from '../../src/adapters/crypto/fernet-secret-cipher.js';
import { nodeFernetKey } from '../../src/adapters/crypto/node-fernet-key.js';
import { readFernetFixture } from '../support/fernet-fixtures.js';

// Tokens made by our code must be read by real Python `cryptography` (the reverse of the unit tests).
// Debian's python first (CI installs `python3-cryptography` for it), else whichever python3 is on PATH.
const PYTHON_CANDIDATES = ['/usr/bin/python3', 'python3'];

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

const interop = readFernetFixture<Interop>('python-interop.json');
const mf = interop.multifernet;

// -I: isolated mode, so a stray PYTHONPATH or the current directory cannot stand in for the package.
function runPython(
  python: string,
  args: string[],
  input = '',
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(python, ['-I', ...args], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return {
    status: result.status,
    stdout: result.stdout ?? '',
    stderr: result.stderr ?? String(result.error),
  };
}

const PYTHON = PYTHON_CANDIDATES.find(
  (python) => runPython(python, ['-c', 'import cryptography.fernet']).status === 0,
);
const MISSING_PYTHON =
  'no python3 here imports cryptography.fernet (apt-get install python3-cryptography, or pip install cryptography)';
if (PYTHON === undefined) {
  // .ci/run sets this, so CI cannot pass without the oracle having run.
  if (process.env.REQUIRE_PYTHON_ORACLE === '1')
    throw new Error(`REQUIRE_PYTHON_ORACLE=1 but ${MISSING_PYTHON}`);
  console.warn(`Skipping the Python oracle: ${MISSING_PYTHON}`);
}

function pythonDecrypt(items: readonly { key: string; token: string }[]): PythonResult[] {
  const { status, stdout, stderr } = runPython(
    PYTHON ?? 'python3',
    ['-c', DECRYPT_SCRIPT],
    JSON.stringify(items),
  );
  if (status !== 0) throw new Error(`python decrypt script failed (${status}): ${stderr}`);
  return JSON.parse(stdout) as PythonResult[];
}

describe.skipIf(PYTHON === undefined)('Python cryptography reads tokens made by our Fernet', () => {
  it.each<[string, FernetKeyMaker]>([
    ['Web Crypto', webCryptoFernetKey],
    ['node:crypto', nodeFernetKey],
  ])('decrypts every interop plaintext encrypted by us on %s to the exact bytes', async (_name, makeKey) => {
    const items = await Promise.all(
      interop.cases.map(async (c) => ({
        key: c.key,
        token: await encrypt(
          await parseFernetKey(c.key, makeKey),
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
    const keys = await Promise.all([mf.keys.B_new, mf.keys.A_old].map((key) => parseFernetKey(key)));
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
