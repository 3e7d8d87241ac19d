// The evaluator's failures. Python's exception kinds matter because the CDK treats them differently:
// a jinja2 UndefinedError falls back to the default, a TypeError makes the template come back as is,
// anything else fails the interpolation. Messages name types and templates, never context values,
// which can be secrets.

import { ToolError } from "../../core/errors.ts";

/** An interpolation that cannot be evaluated: the message names the template and what failed. */
export class InterpolationError extends ToolError {
  constructor(message: string, template: string, options: { hint?: string; cause?: unknown } = {}) {
    super(`${message} in '${clip(template)}'`, {
      hint:
        options.hint ??
        "Check the template's syntax and the names it uses against the CDK's interpolation docs.",
      cause: options.cause,
    });
    this.name = "InterpolationError";
  }
}

function clip(template: string): string {
  return template.length > 300 ? `${template.slice(0, 300)}…` : template;
}

/** A Python exception raised while rendering: pyType is its class name (ValueError, KeyError…). */
export class PyError extends Error {
  constructor(
    readonly pyType: string,
    message: string,
  ) {
    super(message);
    this.name = pyType;
  }
}

export class PyTypeError extends PyError {
  constructor(message: string) {
    super("TypeError", message);
  }
}

export class PyValueError extends PyError {
  constructor(message: string) {
    super("ValueError", message);
  }
}

/** jinja2.exceptions.UndefinedError: an undefined value was used beyond rendering or testing it. */
export class UndefinedError extends Error {
  override name = "UndefinedError";
}

/** A template that does not parse (jinja2's TemplateSyntaxError / TemplateAssertionError). */
export class TemplateSyntaxError extends Error {
  override name = "TemplateSyntaxError";
}
