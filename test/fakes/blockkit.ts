/**
 * Block Kit validator for tests: returns the list of limit/shape violations Slack would reject
 * (empty array = fine). Limits from /work/shared/SLACK.md. Used by the fake Slack Web API, and
 * directly by block-builder unit tests:
 *
 *   expect(validateBlocks(buildAdrCard(adr), "message")).toEqual([]);
 *   expect(validateView(buildAdrModal())).toEqual([]);
 */
import {
  ACTIONS_ELEMENTS,
  checkDuplicateActionIds,
  checkElement,
  checkImage,
  INPUT_ELEMENTS,
  SECTION_ACCESSORIES,
} from "./blockkit-elements.ts";
import { checkString, checkText, isObj, LIMITS, type Obj, type Report } from "./blockkit-text.ts";

export type BlockSurface = "message" | "modal" | "home";

export const BLOCK_LIMITS = {
  blocks: { message: 50, modal: 100, home: 100 } satisfies Record<BlockSurface, number>,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  inputLabel: 2000,
  inputHint: 2000,
  imageTitle: 2000,
  markdownText: 12000,
  viewTitle: 24,
  privateMetadata: 3000,
  viewBytes: 250_000,
} as const;

const CONTEXT_ELEMENTS = new Set(["image", "plain_text", "mrkdwn"]);

function checkElementList(
  report: Report,
  path: string,
  elements: unknown,
  max: number,
  check: (p: string, el: unknown) => void,
): void {
  if (!Array.isArray(elements)) {
    report(`${path}.elements`, "must be an array");
    return;
  }
  if (elements.length === 0) report(`${path}.elements`, "must not be empty");
  if (elements.length > max) report(`${path}.elements`, `${elements.length} elements > ${max}`);
  elements.forEach((el, i) => {
    check(`${path}.elements[${i}]`, el);
  });
}

function checkBlock(report: Report, path: string, block: Obj, type: string): void {
  switch (type) {
    case "section": {
      if (block.text === undefined && block.fields === undefined) report(path, "needs text or fields");
      checkText(report, `${path}.text`, block.text, { max: BLOCK_LIMITS.sectionText });
      if (block.fields !== undefined) {
        if (!Array.isArray(block.fields)) {
          report(`${path}.fields`, "must be an array");
        } else {
          if (block.fields.length > BLOCK_LIMITS.fields) {
            report(`${path}.fields`, `${block.fields.length} fields > ${BLOCK_LIMITS.fields}`);
          }
          block.fields.forEach((f, i) => {
            checkText(report, `${path}.fields[${i}]`, f, { max: BLOCK_LIMITS.fieldText, required: true });
          });
        }
      }
      if (block.accessory !== undefined) {
        checkElement(
          report,
          `${path}.accessory`,
          block.accessory,
          SECTION_ACCESSORIES,
          "a section accessory",
        );
      }
      return;
    }
    case "header": {
      checkText(report, `${path}.text`, block.text, {
        max: BLOCK_LIMITS.headerText,
        plainOnly: true,
        required: true,
      });
      return;
    }
    case "divider":
      return;
    case "image":
      checkImage(report, path, block);
      {
        checkText(report, `${path}.title`, block.title, {
          max: BLOCK_LIMITS.imageTitle,
          plainOnly: true,
        });
        return;
      }
    case "context": {
      checkElementList(report, path, block.elements, BLOCK_LIMITS.contextElements, (p, el) => {
        if (!isObj(el) || typeof el.type !== "string" || !CONTEXT_ELEMENTS.has(el.type)) {
          return report(p, "context elements must be image or text objects");
        }
        if (el.type === "image") checkImage(report, p, el);
        else checkText(report, p, el, { max: BLOCK_LIMITS.sectionText, required: true });
      });
      return;
    }
    case "actions":
      checkElementList(report, path, block.elements, BLOCK_LIMITS.actionsElements, (p, el) => {
        checkElement(report, p, el, ACTIONS_ELEMENTS, "an actions block");
      });
      if (Array.isArray(block.elements)) checkDuplicateActionIds(report, path, block.elements);
      return;
    case "input":
      checkText(report, `${path}.label`, block.label, {
        max: BLOCK_LIMITS.inputLabel,
        plainOnly: true,
        required: true,
      });
      checkText(report, `${path}.hint`, block.hint, { max: BLOCK_LIMITS.inputHint, plainOnly: true });
      if (block.element === undefined) {
        report(`${path}.element`, "is required");
        return;
      }
      for (const key of ["optional", "dispatch_action"] as const) {
        if (block[key] !== undefined && typeof block[key] !== "boolean")
          report(`${path}.${key}`, "must be a boolean");
      }
      {
        checkElement(report, `${path}.element`, block.element, INPUT_ELEMENTS, "an input block");
        return;
      }
    case "rich_text":
      if (!Array.isArray(block.elements)) report(`${path}.elements`, "must be an array");
      return;
    case "markdown": {
      checkString(report, `${path}.text`, block.text, BLOCK_LIMITS.markdownText, true);
      return;
    }
    case "video":
    case "file":
      return;
    default:
      report(path, `unsupported block type "${type}"`);
  }
}

/** Validates a `blocks` array for a message, modal or Home tab. */
export function validateBlocks(blocks: unknown, surface: BlockSurface, path = "blocks"): string[] {
  const violations: string[] = [];
  const report: Report = (p, message) => {
    violations.push(`${p}: ${message}`);
  };
  if (!Array.isArray(blocks)) {
    report(path, "must be an array of blocks");
    return violations;
  }
  const max = BLOCK_LIMITS.blocks[surface];
  if (blocks.length > max) report(path, `${blocks.length} blocks > ${max} allowed in a ${surface}`);

  const blockIds = new Set<string>();
  blocks.forEach((block, i) => {
    if (!isObj(block)) {
      report(`${path}[${i}]`, "must be a block object");
      return;
    }
    if (typeof block.type !== "string") {
      report(`${path}[${i}].type`, "is required");
      return;
    }
    const p = `${path}[${i}](${block.type})`;
    checkString(report, `${p}.block_id`, block.block_id, LIMITS.id);
    if (typeof block.block_id === "string") {
      if (blockIds.has(block.block_id))
        report(`${p}.block_id`, `duplicate block_id ${JSON.stringify(block.block_id)}`);
      blockIds.add(block.block_id);
    }
    checkBlock(report, p, block, block.type);
  });
  return violations;
}

/**
 * Validates a view (views.open/push/update take modals, views.publish takes a Home tab).
 * Without `expectedType` the view's own type decides; it must be "modal" or "home".
 */
export function validateView(view: unknown, expectedType?: "modal" | "home"): string[] {
  if (!isObj(view)) return ["view: must be an object"];
  const violations: string[] = [];
  const report: Report = (p, message) => {
    violations.push(`${p}: ${message}`);
  };
  const type = view.type;
  if (expectedType !== undefined && type !== expectedType) {
    report("view.type", `must be "${expectedType}" (got ${JSON.stringify(type)})`);
  } else if (type !== "modal" && type !== "home") {
    report("view.type", `must be "modal" or "home" (got ${JSON.stringify(type)})`);
  }
  const surface: BlockSurface = type === "home" ? "home" : "modal";

  if (surface === "modal") {
    const rule = { max: BLOCK_LIMITS.viewTitle, plainOnly: true };
    checkText(report, "view.title", view.title, { ...rule, required: true });
    checkText(report, "view.submit", view.submit, rule);
    checkText(report, "view.close", view.close, rule);
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isObj(b) && b.type === "input");
    if (hasInput && view.submit === undefined)
      report("view.submit", "is required when the view has input blocks");
  }
  checkString(report, "view.callback_id", view.callback_id, LIMITS.id);
  checkString(report, "view.external_id", view.external_id, LIMITS.id);
  checkString(report, "view.private_metadata", view.private_metadata, BLOCK_LIMITS.privateMetadata);

  const bytes = Buffer.byteLength(JSON.stringify(view), "utf8");
  if (bytes > BLOCK_LIMITS.viewBytes) report("view", `${bytes} bytes of JSON > ${BLOCK_LIMITS.viewBytes}`);

  return violations.concat(validateBlocks(view.blocks, surface, "view.blocks"));
}
