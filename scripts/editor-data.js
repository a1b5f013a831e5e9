// Editor support, generated from custom-elements.json by the build into dist/: VS Code's HTML and
// CSS custom data (the `html.customData` and `css.customData` settings point at them) and
// JetBrains' web-types (found through package.json's `web-types`).
import { readFileSync, writeFileSync } from 'node:fs';
import { getVsCodeCssCustomData, getVsCodeHtmlCustomData } from 'custom-element-vs-code-integration';
import { getWebTypesData } from 'custom-element-jet-brains-integration';

const manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8'));
const files = {
  'dist/vscode.html-custom-data.json': getVsCodeHtmlCustomData(manifest, {}),
  'dist/vscode.css-custom-data.json': getVsCodeCssCustomData(manifest, {}),
  'dist/web-types.json': getWebTypesData(manifest, {}),
};
for (const [file, contents] of Object.entries(files)) {
  // The generators write JSON by hand: parsing it checks it, and the file is indented the same way.
  writeFileSync(file, `${JSON.stringify(JSON.parse(contents), null, 2)}\n`);
  console.log(`wrote ${file}`);
}
