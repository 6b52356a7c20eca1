import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiProblem } from '../api.js';

/** One reading of a scanned code, as `GET /api/v1/codes/parse` gives it (src/codes). */
export interface CodeReading {
  scheme: string;
  schemeName: string;
  canonical: string;
  target: string;
  fields: Record<string, string>;
  digitalLink?: string;
  /** What EPCIS events name the code by (a Digital Link or `urn:zhuisu:{scheme}:{code}`). */
  identifier: string;
}

export interface CodeInputText {
  label: string;
  hint: string;
  camera: string;
  stopCamera: string;
  /** Shown with the reason when the platform cannot read the text, e.g. "Not a code: {reason}". */
  unreadable: (reason: string) => string;
}

interface BarcodeDetectorLike {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>;
}
type BarcodeDetectorClass = new (options?: { formats?: string[] }) => BarcodeDetectorLike;

/**
 * A field a keyboard-wedge scanner types into: it types the element string or the Digital Link and then Enter, which
 * here reads the code (with the platform's own reader, so every scheme it knows is understood) instead of submitting
 * the form. Where the browser has a BarcodeDetector a camera button reads the code from the camera as well.
 */
export function CodeInput(props: { id: string; text: CodeInputText; onRead: (reading: CodeReading, scanned: string) => void }) {
  const [value, setValue] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [scanning, setScanning] = useState(false);
  const Detector = (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;

  const read = async (text: string) => {
    const scanned = text.trim();
    if (!scanned) return;
    setBusy(true);
    setProblem(null);
    try {
      const { readings } = await api<{ readings: CodeReading[] }>('GET', `/api/v1/codes/parse?text=${encodeURIComponent(scanned)}`);
      props.onRead(readings[0]!, scanned);
      setValue('');
    } catch (error) {
      setProblem(props.text.unreadable(error instanceof ApiProblem ? error.detail : String(error)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="code-input">
      <label for={props.id}>{props.text.label}</label>
      <div class="toolbar">
        <input
          id={props.id}
          value={value}
          autoComplete="off"
          spellcheck={false}
          aria-describedby={`${props.id}-hint`}
          aria-invalid={problem ? true : undefined}
          aria-busy={busy}
          onInput={(e) => setValue(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key !== 'Enter') return;
            e.preventDefault();
            void read(e.currentTarget.value);
          }}
        />
        {Detector && (
          <button type="button" class="secondary" onClick={() => setScanning(!scanning)} aria-pressed={scanning}>
            {scanning ? props.text.stopCamera : props.text.camera}
          </button>
        )}
      </div>
      <p id={`${props.id}-hint`} class="muted">
        {props.text.hint}
      </p>
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      {scanning && Detector && (
        <Camera
          Detector={Detector}
          onCode={(text) => {
            setScanning(false);
            void read(text);
          }}
        />
      )}
    </div>
  );
}

/** The camera's picture, read a few times a second until a code is seen. */
function Camera(props: { Detector: BarcodeDetectorClass; onCode: (text: string) => void }) {
  const video = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    let stream: MediaStream | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const detector = new props.Detector();
    const look = async () => {
      if (stopped || !video.current) return;
      try {
        const [found] = await detector.detect(video.current);
        if (found?.rawValue) return props.onCode(found.rawValue);
      } catch {
        // A frame that is not ready yet; the next one will do.
      }
      timer = setTimeout(look, 250);
    };
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: 'environment' } })
      .then(async (media) => {
        stream = media;
        if (stopped || !video.current) return;
        video.current.srcObject = media;
        await video.current.play();
        void look();
      })
      .catch(() => undefined);
    return () => {
      stopped = true;
      clearTimeout(timer);
      stream?.getTracks().forEach((track) => track.stop());
    };
  }, []);
  return <video ref={video} class="camera" muted playsInline aria-hidden="true" />;
}
