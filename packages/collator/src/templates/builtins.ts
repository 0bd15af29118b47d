import type { ChatTemplateSpec } from "./chat-template.js";

/** OpenVLA's prompt (Prismatic's "pure" prompt builder): "In: {question}\nOut: {answer}</s>" per turn. */
export const OPENVLA: ChatTemplateSpec = {
  name: "openvla",
  user: { prefix: "In: " },
  assistant: { prefix: "\nOut:", lead: " ", eos: true },
  robotPrompt: "What action should the robot take to {instruction}?",
  imagePosition: "start",
};

/**
 * LLaVA v1 (Vicuna v1 conversation, sep " ", sep2 "</s>"):
 * "<s>{system} USER: <image>\n{q1} ASSISTANT: {a1}</s>USER: {q2} ASSISTANT: {a2}</s>".
 */
export const LLAVA_V1: ChatTemplateSpec = {
  name: "llava_v1",
  system: "A chat between a curious human and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the human's questions.",
  systemSuffix: " ",
  user: { prefix: "USER: " },
  assistant: { prefix: " ASSISTANT:", lead: " ", eos: true },
  robotPrompt: "What action should the robot take to {instruction}?",
  imagePosition: "first-turn",
  imageSuffix: "\n",
};

/** No chat framing: "<s>{image}{q1}\n{a1}</s>{q2}\n{a2}</s>" (robot rows: the instruction as is). */
export const PLAIN: ChatTemplateSpec = {
  name: "plain",
  user: { prefix: "" },
  assistant: { prefix: "\n", eos: true },
  imagePosition: "start",
};
