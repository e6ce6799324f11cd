/**
 * Uploading into the patient archive from the Patients page, and the first sign-in with a one-time
 * password, in the served dashboard over a private copy of the fixture store.
 */
import { readFileSync } from "node:fs";
import { createUser } from "@cxrlab/api/auth";
import { describe, expect, it } from "vitest";
import { sampleImagePaths } from "../api/fixture.ts";
import { privateDatabase, screenshot, testAccount, useDashboard } from "./harness.ts";
import { WIDTHS } from "./page-check.ts";

describe("uploads and the first sign-in", () => {
  const dashboard = useDashboard({ databaseUrl: privateDatabase() });

  for (const width of WIDTHS) {
    it(`uploads real X-rays from the Patients page and lists what was new and what was rejected (${width} px)`, async () => {
      const clinician = await testAccount(dashboard.store, "clinician");
      const patientId = `UPLOAD-${width}`;
      const xray = sampleImagePaths(3)[width === 1280 ? 6 : 7]!.path;
      const { page, consoleErrors, failedRequests, close } = await dashboard.openPage({
        width,
        account: clinician,
      });
      try {
        await page.goto(`${dashboard.app.baseUrl}/patients`);
        await page.getByTestId("upload").locator("summary").click();
        await page.getByTestId("upload-files").setInputFiles([
          { name: "chest.png", mimeType: "image/png", buffer: readFileSync(xray) },
          { name: "notes.png", mimeType: "image/png", buffer: Buffer.from("not an image at all\n") },
        ]);
        await page.getByTestId("upload-patient").fill(patientId);
        await page.getByTestId("upload-submit").click();
        await page.locator('[data-testid="upload-result"], [data-testid="upload-error"]').first().waitFor();
        const refused = page.getByTestId("upload-error");
        expect(await refused.count(), (await refused.allTextContents()).join()).toBe(0);
        expect(await page.getByTestId("upload-new").textContent()).toContain(
          `chest.png — patient ${patientId}`,
        );
        expect(await page.getByTestId("upload-rejected").textContent()).toContain(
          "notes.png: not a DICOM, PNG or JPEG file (by its content)",
        );
        // The table refreshes with the new patient.
        await page.getByTestId("patient-link").filter({ hasText: patientId }).waitFor();
        await screenshot(page, `patients-upload-${width}`);
        const patient = await dashboard.store.prisma.patient.findUniqueOrThrow({
          where: { patientId_issuer: { patientId, issuer: "" } },
          include: { project: true, studies: { include: { images: true } } },
        });
        expect(patient.project?.name).toBe("default");
        expect(patient.studies.flatMap((s) => s.images)).toHaveLength(1);
        expect(consoleErrors).toEqual([]);
        expect(failedRequests).toEqual([]);
      } finally {
        await close();
      }
    });
  }

  it("asks an account on its one-time password for a new one at sign-in, then lets it in", async () => {
    const { user, password } = await createUser(dashboard.store, {
      email: "first-sign-in@test.cxrlab",
      name: "First Sign-in",
      role: "clinician",
    });
    const { page, consoleErrors, close } = await dashboard.openPage({ width: 390, account: null });
    try {
      await page.goto(`${dashboard.app.baseUrl}/sign-in`);
      await page.getByLabel("Email").fill(user.email);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL((url) => url.pathname === "/account/password");
      await page.getByTestId("must-change-password").waitFor();
      // Every other page sends it back here until the password is changed.
      await page.goto(`${dashboard.app.baseUrl}/patients`);
      expect(new URL(page.url()).pathname).toBe("/account/password");
      await screenshot(page, "account-password-390");

      const chosen = "my own long password 42";
      await page.getByLabel("Current password").fill(password);
      await page.getByLabel("New password", { exact: true }).fill(chosen);
      await page.getByLabel("New password again").fill(`${chosen}!`);
      await page.getByRole("button", { name: "Save password" }).click();
      expect(await page.getByTestId("password-error").textContent()).toBe("The two new passwords differ.");
      await page.getByLabel("New password again").fill(chosen);
      await page.getByRole("button", { name: "Save password" }).click();
      await page.waitForURL((url) => url.pathname === "/runs");
      await page.goto(`${dashboard.app.baseUrl}/patients`);
      expect(new URL(page.url()).pathname).toBe("/patients");
      const stored = await dashboard.store.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
      expect(stored.mustChangePassword).toBe(false);
      expect(consoleErrors).toEqual([]);
    } finally {
      await close();
    }
  });
});
