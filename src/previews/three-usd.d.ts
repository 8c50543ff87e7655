// three.js's USD layer parsers (the ones its USDLoader composes a scene from), which ship without
// type declarations: a layer's specs by path, not composed (no textures loaded, no DOM needed).
declare module 'three/addons/loaders/usd/USDAParser.js' {
  export class USDAParser {
    parseData(text: string): {
      specsByPath: Record<string, { specType: number; fields: Record<string, unknown> }>;
    };
  }
}

declare module 'three/addons/loaders/usd/USDCParser.js' {
  export class USDCParser {
    parseData(buffer: ArrayBuffer): {
      specsByPath: Record<string, { specType: number; fields: Record<string, unknown> }>;
    };
  }
}
