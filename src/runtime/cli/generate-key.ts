import { generateFernetKey } from '../../adapters/crypto/fernet.js';

process.stdout.write(`${generateFernetKey()}\n`);
