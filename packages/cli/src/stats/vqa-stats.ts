import type { CanonicalRow } from "@cotrain/core";
import { DistributionBuilder } from "./summary.js";
import type { Distribution } from "./summary.js";

/** Statistics of VQA (web) rows: how many, how long, how many turns and images. */
export interface VqaStats {
  entries: number;
  /** Entries without an image. */
  textOnly: number;
  /** Messages per entry (a question + its answer is 2). */
  turns: Distribution | null;
  /** Question/answer pairs per entry (assistant turns). */
  answers: Distribution | null;
  /** Characters of the user turns and of the assistant turns of an entry, summed. */
  userChars: Distribution | null;
  assistantChars: Distribution | null;
  /** Entries by number of images ("0", "1", "2", …). */
  imagesPerEntry: Record<string, number>;
  /** Encoded image sizes in bytes. */
  imageBytes: Distribution | null;
  /** Messages by role. */
  roles: Record<string, number>;
}

export class VqaStatsBuilder {
  private entries = 0;
  private textOnly = 0;
  private readonly turns = new DistributionBuilder();
  private readonly answers = new DistributionBuilder();
  private readonly userChars = new DistributionBuilder();
  private readonly assistantChars = new DistributionBuilder();
  private readonly imageBytes = new DistributionBuilder();
  private readonly images: Record<string, number> = {};
  private readonly roles: Record<string, number> = {};

  add(row: CanonicalRow): void {
    this.entries++;
    if (row.images.length === 0) this.textOnly++;
    this.images[String(row.images.length)] = (this.images[String(row.images.length)] ?? 0) + 1;
    for (const image of row.images) this.imageBytes.add(image.length);
    let user = 0;
    let assistant = 0;
    let answers = 0;
    for (const m of row.messages) {
      this.roles[m.role] = (this.roles[m.role] ?? 0) + 1;
      if (m.role === "user") user += m.content.length;
      if (m.role === "assistant") {
        assistant += m.content.length;
        answers++;
      }
    }
    this.turns.add(row.messages.length);
    this.answers.add(answers);
    this.userChars.add(user);
    this.assistantChars.add(assistant);
  }

  result(): VqaStats | null {
    if (this.entries === 0) return null;
    return {
      entries: this.entries,
      textOnly: this.textOnly,
      turns: this.turns.result(),
      answers: this.answers.result(),
      userChars: this.userChars.result(),
      assistantChars: this.assistantChars.result(),
      imagesPerEntry: Object.fromEntries(Object.entries(this.images).sort(([a], [b]) => Number(a) - Number(b))),
      imageBytes: this.imageBytes.result(),
      roles: this.roles,
    };
  }
}
