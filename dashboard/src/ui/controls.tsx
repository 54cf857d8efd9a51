/**
 * Controls that know the session's scopes: a write the token does not allow is shown disabled, with the scope it
 * needs as its description. Plus labelled fields, a copy button and a confirmation dialog.
 */
import type { ButtonHTMLAttributes, ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { useConsole } from '../context';

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & { scope: string; busy?: boolean };

/** A button for a write: disabled (and saying why) when the token lacks `scope`, or while `busy`. */
export function WriteButton({ scope, busy, children, disabled, type, ...rest }: ButtonProps) {
  const { can } = useConsole();
  const allowed = can(scope);
  return (
    <button
      {...rest}
      type={type ?? 'button'}
      disabled={!allowed || busy || disabled}
      title={allowed ? rest.title : `Needs the ${scope} scope`}
    >
      {children}
    </button>
  );
}

/** A labelled field: the label wraps its control, with an optional hint under it. */
export function Field({ label, hint, children }: { label: string; hint?: string; children: ComponentChildren }) {
  return (
    <label class="field">
      <span class="label">{label}</span>
      {children}
      {hint && <span class="hint">{hint}</span>}
    </label>
  );
}

/** Copies `text` to the clipboard and says whether it worked. */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [said, setSaid] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setSaid('Copied.');
    } catch {
      setSaid('The browser refused to copy: select the text and copy it by hand.');
    }
  };
  return (
    <>
      <button type="button" onClick={copy}>
        {label}
      </button>
      <span role="status" class="notice">
        {said}
      </span>
    </>
  );
}

/**
 * A button that asks first: a modal dialog with the question, "Cancel" and the confirming button (named
 * `confirmLabel`). `onConfirm` runs only when confirmed.
 */
export function ConfirmButton(props: {
  label: string;
  /** Said to assistive technology after the label, and in the dialog's title (which key, which version). */
  detail?: string;
  question: string;
  confirmLabel: string;
  scope: string;
  onConfirm: () => void;
  busy?: boolean;
  class?: string;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const headingId = useRef(`confirm-${Math.random().toString(36).slice(2)}`).current;
  return (
    <>
      <WriteButton
        scope={props.scope}
        busy={props.busy}
        class={props.class}
        onClick={() => dialog.current?.showModal()}
      >
        {props.label}
        {props.detail && <span class="visually-hidden"> {props.detail}</span>}
      </WriteButton>
      <dialog ref={dialog} aria-labelledby={headingId}>
        <h2 id={headingId}>
          {props.label}
          {props.detail && ` ${props.detail}`}
        </h2>
        <p>{props.question}</p>
        <div class="row">
          <button type="button" autofocus onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button
            type="button"
            class="danger"
            onClick={() => {
              dialog.current?.close();
              props.onConfirm();
            }}
          >
            {props.confirmLabel}
          </button>
        </div>
      </dialog>
    </>
  );
}

/** A date in the reader's locale, with the ISO text as its machine-readable value. */
export function When({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span class="muted">—</span>;
  return <time dateTime={iso}>{new Date(iso).toLocaleString()}</time>;
}
