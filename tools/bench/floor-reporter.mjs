/** node:test reporter for floor.mjs: one line when the target test's verdict is known. */
const target = process.env.FLOOR_TARGET;

export default async function* floorReporter(source) {
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.name === target && !event.data.skip) {
      yield `VERDICT ${event.type === 'test:pass' ? 'pass' : 'fail'}\n`;
    }
  }
}
