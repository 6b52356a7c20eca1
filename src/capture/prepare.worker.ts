import { parentPort } from 'node:worker_threads';
import { prepareDocumentText } from './prepare.js';

// One document at a time: the pool hands out work, this thread only computes.
parentPort!.on('message', (message: { id: number; text: string }) => {
  parentPort!.postMessage({ id: message.id, result: prepareDocumentText(message.text) });
});
