/** A client secret shown the one time Minter returns it (create, rotate), with a copy button and a warning. */
import { CopyButton } from './controls';

export function SecretOnce({ clientId, secret, name }: { clientId: string; secret: string; name: string }) {
  return (
    <section class="card warning-card" aria-label={`Secret of ${name}`}>
      <p class="warning" role="note">
        <strong>Copy the client secret now.</strong> Minter keeps only a digest of it: this is the only time it is
        shown. If it is lost, rotate the secret.
      </p>
      <label class="field">
        <span class="label">Client ID of {name}</span>
        <input class="secret" readOnly value={clientId} />
      </label>
      <div class="row">
        <CopyButton text={clientId} label="Copy client ID" />
      </div>
      <label class="field">
        <span class="label">New client secret</span>
        <input class="secret" readOnly value={secret} />
      </label>
      <div class="row">
        <CopyButton text={secret} label="Copy secret" />
      </div>
    </section>
  );
}
