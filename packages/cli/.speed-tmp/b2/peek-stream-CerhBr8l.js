// ../../work/main/packages/machine/dist/node/peek-stream.js
function join(chunks, limit) {
	const total = chunks.reduce((n, c) => n + c.length, 0);
	const out = new Uint8Array(Math.min(total, limit));
	let at = 0;
	for (const chunk of chunks) {
		if (at >= out.length) break;
		const piece = chunk.subarray(0, out.length - at);
		out.set(piece, at);
		at += piece.length;
	}
	return out;
}
/**
* Reads `source` ahead until `enough(head)` says the first bytes tell what is needed (or the
* source ends), never buffering more than the chunks that took: for sniffing a format or a
* machine type before deciding what to do with a stream.
*/
async function peekStream(source, enough, limit = 4096) {
	const iterator = source[Symbol.asyncIterator]();
	const held = [];
	let length = 0;
	let ended = false;
	let head = /* @__PURE__ */ new Uint8Array(0);
	while (!enough(head) && length < limit) {
		const next = await iterator.next();
		if (next.done) {
			ended = true;
			break;
		}
		held.push(next.value);
		length += next.value.length;
		head = join(held, limit);
	}
	return {
		head,
		ended,
		async *replay() {
			try {
				yield* held;
				if (ended) return;
				for (;;) {
					const next = await iterator.next();
					if (next.done) return;
					yield next.value;
				}
			} finally {
				await iterator.return?.();
			}
		}
	};
}
export { peekStream as t };
