/**
 * Camera scanning for the portal's home page, added only where the browser can open a camera: the page works without
 * it (type the code). The decoded text goes into the form as typed and the form is sent, so the server reads it like
 * any typed code. The browser's own BarcodeDetector is used where it exists; elsewhere a bundled decoder, loaded on
 * the first scan.
 */
export {};

type Decode = (frame: HTMLCanvasElement) => Promise<string | null>;

interface DetectedBarcode {
  rawValue: string;
}
declare const BarcodeDetector: { new (options: { formats: string[] }): { detect(source: CanvasImageSource): Promise<DetectedBarcode[]> } } | undefined;

const button = document.getElementById('scan') as HTMLButtonElement | null;
const form = document.querySelector<HTMLFormElement>('form[role="search"]');
const input = form?.querySelector<HTMLInputElement>('input[name="code"]');
const panel = document.getElementById('scanner');
const status = document.getElementById('scan-status');

// Cameras are offered only on secure pages (https, or this machine), where mediaDevices exists.
if (button && form && input && panel && status && 'mediaDevices' in navigator) {
  button.hidden = false;
  button.addEventListener('click', () => void scan(form, input, panel, status));
}

async function scan(form: HTMLFormElement, input: HTMLInputElement, panel: HTMLElement, status: HTMLElement): Promise<void> {
  const video = panel.querySelector('video')!;
  const cancel = panel.querySelector<HTMLButtonElement>('button')!;
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  } catch {
    status.textContent = status.dataset.unavailable ?? '';
    return;
  }
  let stopped = false;
  const stop = () => {
    stopped = true;
    for (const track of stream.getTracks()) track.stop();
    panel.hidden = true;
  };
  cancel.onclick = stop;
  panel.hidden = false;
  status.textContent = status.dataset.looking ?? '';
  video.srcObject = stream;
  await video.play();
  const decode = await decoder();
  const canvas = document.createElement('canvas');
  while (!stopped) {
    if (video.videoWidth > 0) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      canvas.getContext('2d', { willReadFrequently: true })!.drawImage(video, 0, 0);
      const text = await decode(canvas).catch(() => null);
      if (text) {
        stop();
        input.value = text;
        form.requestSubmit();
        return;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

async function decoder(): Promise<Decode> {
  if (typeof BarcodeDetector !== 'undefined') {
    const detector = new BarcodeDetector({ formats: ['qr_code', 'data_matrix', 'code_128', 'ean_13', 'ean_8', 'upc_a'] });
    return async (frame) => (await detector.detect(frame))[0]?.rawValue ?? null;
  }
  const zxing = await import('@zxing/library');
  const hints = new Map<unknown, unknown>([[zxing.DecodeHintType.POSSIBLE_FORMATS, [zxing.BarcodeFormat.QR_CODE, zxing.BarcodeFormat.DATA_MATRIX, zxing.BarcodeFormat.CODE_128, zxing.BarcodeFormat.EAN_13]]]);
  const reader = new zxing.MultiFormatReader();
  reader.setHints(hints as Map<never, never>);
  return async (frame) => {
    const { data, width, height } = frame.getContext('2d', { willReadFrequently: true })!.getImageData(0, 0, frame.width, frame.height);
    const luminance = new Uint8ClampedArray(width * height);
    for (let i = 0; i < luminance.length; i++) luminance[i] = (data[i * 4]! * 299 + data[i * 4 + 1]! * 587 + data[i * 4 + 2]! * 114) / 1000;
    try {
      const bitmap = new zxing.BinaryBitmap(new zxing.HybridBinarizer(new zxing.RGBLuminanceSource(luminance, width, height)));
      return reader.decodeWithState(bitmap).getText();
    } catch {
      return null;
    }
  };
}
