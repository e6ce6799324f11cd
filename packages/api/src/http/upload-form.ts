import path from "node:path";
import { parseStudyDate, type SourceFields } from "@cxrlab/db";
import { HttpError } from "./responses.ts";

/** Form fields of an upload that describe the images (PNG/JPEG carry no patient; DICOM tags win). */
const FIELD_NAMES = ["patientId", "issuer", "studyDate", "studyUid", "accession", "view"] as const;

/** DICOM's LO/UI values hold at most 64 characters; longer form values are typing accidents or abuse. */
const MAX_FIELD_LENGTH = 64;

const CONTROL = /\p{Cc}|\p{Cf}/u;

/** The patient and study fields of the form: trimmed, checked, absent when empty (400 otherwise). */
export function uploadFields(form: FormData): SourceFields {
  const fields: SourceFields = {};
  for (const name of FIELD_NAMES) {
    const value = form.get(name);
    if (value === null) continue;
    if (typeof value !== "string") throw new HttpError(400, `form field ${name} must be text, not a file`);
    const text = value.trim();
    if (!text) continue;
    if (text.length > MAX_FIELD_LENGTH || CONTROL.test(text)) {
      throw new HttpError(400, `form field ${name}: at most ${MAX_FIELD_LENGTH} printable characters`);
    }
    fields[name] = text;
  }
  if (fields.studyDate) {
    try {
      parseStudyDate(fields.studyDate, "form field studyDate");
    } catch (error) {
      throw new HttpError(400, (error as Error).message);
    }
  }
  return fields;
}

/** The project field: a project id or name (400 when missing). */
export function uploadProject(form: FormData): { id: number } | { name: string } {
  const value = form.get("project");
  if (typeof value !== "string" || !value.trim()) throw new HttpError(400, "form field project is missing");
  const text = value.trim();
  return /^\d+$/.test(text) ? { id: Number(text) } : { name: text };
}

/**
 * A client's file name as display text only: its last path segment, without control or formatting
 * characters (which could forge report lines or reorder text), at most 200 characters. The store is
 * content-addressed, so the name never becomes part of a path.
 */
export function displayName(name: string, index: number): string {
  const base = path.posix.basename(name.replaceAll("\\", "/"));
  const clean = base.replace(new RegExp(CONTROL.source, "gu"), "").trim().slice(0, 200);
  return clean && clean !== "." && clean !== ".." ? clean : `file ${index + 1}`;
}
