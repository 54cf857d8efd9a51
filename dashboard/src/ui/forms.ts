/** Reading a submitted form. */

/** Stops the browser's own submission and returns the form's fields as text, trimmed. */
export function submitted(event: Event): {
  form: HTMLFormElement;
  get(name: string): string;
  checked(name: string): boolean;
} {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  const data = new FormData(form);
  return {
    form,
    get: (name) => String(data.get(name) ?? '').trim(),
    checked: (name) => data.get(name) !== null,
  };
}

/** A positive whole number from a field, or undefined when it is empty. Throws words when it is not one. */
export function wholeNumber(text: string, label: string): number | undefined {
  if (text === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${label} must be a whole number of at least 1.`);
  return value;
}
