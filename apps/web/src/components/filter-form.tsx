"use client";

import { useRouter } from "next/navigation";
import type { FormEvent, ReactNode } from "react";

/**
 * A GET form whose fields become the URL's query (empty ones left out, so links stay short).
 * Checkboxes and selects apply as soon as they are picked; without JavaScript it still submits as
 * a plain GET form. Render it with a `key` of the current query so its fields follow navigation.
 */
export function FilterForm({
  action,
  children,
  testId,
}: {
  action: string;
  children: ReactNode;
  testId: string;
}) {
  const router = useRouter();
  function navigate(form: HTMLFormElement) {
    const query = new URLSearchParams();
    for (const [key, value] of new FormData(form)) {
      if (typeof value === "string" && value.trim() !== "") query.append(key, value.trim());
    }
    const text = query.toString();
    router.push(text ? `${action}?${text}` : action);
  }
  return (
    <form
      className="filters"
      action={action}
      method="get"
      data-testid={testId}
      onSubmit={(event: FormEvent<HTMLFormElement>) => {
        event.preventDefault();
        navigate(event.currentTarget);
      }}
      onChange={(event) => {
        // Text and number fields apply on Enter or "Apply", not on every keystroke.
        const field = event.nativeEvent.target;
        const picked =
          field instanceof HTMLSelectElement ||
          (field instanceof HTMLInputElement && (field.type === "checkbox" || field.type === "radio"));
        if (picked) {
          navigate(event.currentTarget);
        }
      }}
    >
      {children}
    </form>
  );
}
