/** The README's table of executor options, made from src/executors/cctrial/schema.json: a test keeps the README in step. */

interface SchemaProperty {
  type: string;
  description: string;
  default?: unknown;
}

export function optionsTable(schema: { properties: Record<string, SchemaProperty> }): string {
  const rows = Object.entries(schema.properties).map(([name, property]) => {
    const flag = `\`--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}\``;
    const fallback = property.default === undefined ? '' : ` Default: \`${JSON.stringify(property.default)}\`.`;
    return `| ${flag} | ${property.type} | ${property.description}${fallback} |`;
  });
  return ['| option | type | what it does |', '| --- | --- | --- |', ...rows].join('\n');
}
