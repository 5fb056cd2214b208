// Types for the part of @cornerstonejs/codec-libjpeg-turbo-8bit (an Emscripten build of libjpeg-turbo) we use.
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs' {
  interface FrameInfo {
    width: number;
    height: number;
    bitsPerSample: number;
    componentCount: number;
    isSigned: boolean;
  }
  /** Embind objects live in the WebAssembly heap: delete() frees them. */
  interface Deletable {
    delete(): void;
  }
  interface JPEGDecoder extends Deletable {
    /** A view into the heap, `length` bytes, to copy the JPEG into. */
    getEncodedBuffer(length: number): Uint8Array;
    readHeader(): void;
    decode(): void;
    getFrameInfo(): FrameInfo;
    /** A view of the decoded samples, componentCount per pixel. */
    getDecodedBuffer(): Uint8Array;
  }
  interface JPEGEncoder extends Deletable {
    getDecodedBuffer(frame: FrameInfo): Uint8Array;
    setQuality(quality: number): void;
    setProgressive(progressive: boolean): void;
    /** TurboJPEG's TJSAMP_*: 0 = 4:4:4, 1 = 4:2:2, 2 = 4:2:0, 3 = gray, 4 = 4:4:0, 5 = 4:1:1, 6 = 4:4:1. */
    setSubSampling(subsampling: number): void;
    encode(): void;
    getEncodedBuffer(): Uint8Array;
  }
  export interface LibJpegTurbo {
    JPEGDecoder: new () => JPEGDecoder;
    JPEGEncoder: new () => JPEGEncoder;
  }
  const factory: () => Promise<LibJpegTurbo>;
  export = factory;
}
