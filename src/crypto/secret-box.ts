/**
 * Encryption at rest (AES-256-GCM) for signing keys and action secrets. The key comes from `MINTER_SECRET_KEY`
 * or from a file generated into the data directory on first start.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const VERSION = 'v1';

/** Seals and opens small secrets. Output: `v1.<iv>.<tag>.<ciphertext>`, base64url parts. */
export class SecretBox {
  readonly #key: Buffer;
  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('SecretBox needs a 32-byte key');
    this.#key = key;
  }

  seal(plaintext: string, context = ''): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      VERSION,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      body.toString('base64url'),
    ].join('.');
  }

  open(sealed: string, context = ''): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('sealed value has an unknown format');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}

/**
 * Key material from the configured secret: 32 bytes given as 64 hex or 43 base64url characters are used as they
 * are; any other string (a passphrase) is stretched with SHA-256, so it should be long and random.
 */
export function keyFromSecret(secret: string): Buffer {
  if (/^[0-9a-f]{64}$/i.test(secret)) return Buffer.from(secret, 'hex');
  const b64 = Buffer.from(secret, 'base64url');
  if (b64.length === 32 && /^[A-Za-z0-9_-]{43}=?$/.test(secret)) return b64;
  return createHash('sha256').update(secret).digest();
}

/** Opens the configured key, or the one generated into `dataDir/secret.key` (mode 0600) on first start. */
export async function loadSecretBox(
  secret: string | undefined,
  dataDir: string,
): Promise<{ box: SecretBox; generated: boolean }> {
  if (secret) return { box: new SecretBox(keyFromSecret(secret)), generated: false };
  const file = join(dataDir, 'secret.key');
  try {
    return { box: new SecretBox(keyFromSecret((await readFile(file, 'utf8')).trim())), generated: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const fresh = randomBytes(32).toString('base64url');
  await writeFile(file, fresh + '\n', { mode: 0o600, flag: 'wx' });
  return { box: new SecretBox(keyFromSecret(fresh)), generated: true };
}
