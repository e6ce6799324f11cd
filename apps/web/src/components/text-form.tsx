"use client";

import { type ChangeEvent, type FormEvent, useState } from "react";

/** The part of a react-query mutation the form needs. */
interface Mutation<TInput> {
  isPending: boolean;
  mutate(input: TInput, options: { onSuccess: () => void }): void;
}

/**
 * A one-field form that writes its text through a mutation: submitting sends the trimmed text (nothing
 * when it is blank) and clears the field once the write succeeds, so a failed write keeps what was typed.
 */
export function TextForm<TInput>({
  mutation,
  toInput,
  multiline = false,
  field,
  submit,
}: {
  mutation: Mutation<TInput>;
  toInput: (text: string) => TInput;
  /** A textarea (two rows) rather than a one-line input. */
  multiline?: boolean;
  /** The field's own attributes. */
  field: { placeholder: string; "aria-label": string; maxLength?: number; "data-testid": string };
  submit: { label: string; testId: string };
}) {
  const [text, setText] = useState("");
  function send(event: FormEvent) {
    event.preventDefault();
    const value = text.trim();
    if (!value) return;
    mutation.mutate(toInput(value), { onSuccess: () => setText("") });
  }
  const onChange = (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => setText(e.target.value);
  return (
    <form className="inline-form" onSubmit={send}>
      {multiline ? (
        <textarea rows={2} value={text} onChange={onChange} {...field} />
      ) : (
        <input type="text" value={text} onChange={onChange} {...field} />
      )}
      <button type="submit" disabled={mutation.isPending || !text.trim()} data-testid={submit.testId}>
        {submit.label}
      </button>
    </form>
  );
}
