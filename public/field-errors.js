// @ts-check

/**
 * The service's field errors as a form shows them: one entry per field, in the form's order, each naming
 * the field by its label instead of its API name ("Port must be a whole number", not "smtp_port ...").
 * @param {readonly { path: string, message: string }[]} errors
 * @param {readonly [string, string][]} fields the form's fields in order, as [API name, label]
 * @returns {{ path: string, message: string }[]}
 */
export function fieldMessages(errors, fields) {
  return fields.flatMap(([path, label]) => {
    const first = errors.find((error) => error.path === path);
    if (first === undefined) return [];
    const named = first.message.startsWith(`${path} `);
    return [{ path, message: named ? `${label}${first.message.slice(path.length)}` : first.message }];
  });
}
