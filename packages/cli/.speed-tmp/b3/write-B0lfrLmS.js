import { B as concatBytes, V as pullChunks, xt as FormatError } from "./decoder-CmMoHoIO.js";
import { createRequire } from "module";
// ../../work/main/node_modules/fflate/esm/index.mjs
var require = createRequire("/");
var _a;
try {
	_a = require("worker_threads"), _a.Worker, _a.isMarkedAsUntransferable;
} catch (e) {}
var u8 = Uint8Array;
var u16 = Uint16Array;
var i32 = Int32Array;
var fleb = new u8([
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	1,
	1,
	1,
	1,
	2,
	2,
	2,
	2,
	3,
	3,
	3,
	3,
	4,
	4,
	4,
	4,
	5,
	5,
	5,
	5,
	0,
	0,
	0,
	0
]);
var fdeb = new u8([
	0,
	0,
	0,
	0,
	1,
	1,
	2,
	2,
	3,
	3,
	4,
	4,
	5,
	5,
	6,
	6,
	7,
	7,
	8,
	8,
	9,
	9,
	10,
	10,
	11,
	11,
	12,
	12,
	13,
	13,
	0,
	0
]);
var clim = new u8([
	16,
	17,
	18,
	0,
	8,
	7,
	9,
	6,
	10,
	5,
	11,
	4,
	12,
	3,
	13,
	2,
	14,
	1,
	15
]);
var freb = function(eb, start) {
	var b = new u16(31);
	for (var i = 0; i < 31; ++i) b[i] = start += 1 << eb[i - 1];
	var r = new i32(b[30]);
	for (var i = 1; i < 30; ++i) for (var j = b[i]; j < b[i + 1]; ++j) r[j] = j - b[i] << 5 | i;
	return {
		b,
		r
	};
};
var _a = freb(fleb, 2);
var fl = _a.b;
var revfl = _a.r;
fl[28] = 258, revfl[258] = 28;
var _b = freb(fdeb, 0);
var fd = _b.b;
var revfd = _b.r;
var rev = new u16(32768);
for (var i = 0; i < 32768; ++i) {
	var x = (i & 43690) >> 1 | (i & 21845) << 1;
	x = (x & 52428) >> 2 | (x & 13107) << 2;
	x = (x & 61680) >> 4 | (x & 3855) << 4;
	rev[i] = ((x & 65280) >> 8 | (x & 255) << 8) >> 1;
}
var hMap = (function(cd, mb, r) {
	var s = cd.length;
	var i = 0;
	var l = new u16(mb);
	for (; i < s; ++i) if (cd[i]) ++l[cd[i] - 1];
	var le = new u16(mb);
	for (i = 1; i < mb; ++i) le[i] = le[i - 1] + l[i - 1] << 1;
	var co;
	if (r) {
		co = new u16(1 << mb);
		var rvb = 15 - mb;
		for (i = 0; i < s; ++i) if (cd[i]) {
			var sv = i << 4 | cd[i];
			var r_1 = mb - cd[i];
			var v = le[cd[i] - 1]++ << r_1;
			for (var m = v | (1 << r_1) - 1; v <= m; ++v) co[rev[v] >> rvb] = sv;
		}
	} else {
		co = new u16(s);
		for (i = 0; i < s; ++i) if (cd[i]) co[i] = rev[le[cd[i] - 1]++] >> 15 - cd[i];
	}
	return co;
});
var flt = new u8(288);
for (var i = 0; i < 144; ++i) flt[i] = 8;
for (var i = 144; i < 256; ++i) flt[i] = 9;
for (var i = 256; i < 280; ++i) flt[i] = 7;
for (var i = 280; i < 288; ++i) flt[i] = 8;
var fdt = new u8(32);
for (var i = 0; i < 32; ++i) fdt[i] = 5;
var flm = /*#__PURE__*/ hMap(flt, 9, 0);
var flrm = /*#__PURE__*/ hMap(flt, 9, 1);
var fdm = /*#__PURE__*/ hMap(fdt, 5, 0);
var fdrm = /*#__PURE__*/ hMap(fdt, 5, 1);
var max = function(a) {
	var m = a[0];
	for (var i = 1; i < a.length; ++i) if (a[i] > m) m = a[i];
	return m;
};
var bits = function(d, p, m) {
	var o = p / 8 | 0;
	return (d[o] | d[o + 1] << 8) >> (p & 7) & m;
};
var bits16 = function(d, p) {
	var o = p / 8 | 0;
	return (d[o] | d[o + 1] << 8 | d[o + 2] << 16) >> (p & 7);
};
var shft = function(p) {
	return (p + 7) / 8 | 0;
};
var slc = function(v, s, e) {
	if (s == null || s < 0) s = 0;
	if (e == null || e > v.length) e = v.length;
	return new u8(v.subarray(s, e));
};
var ec = [
	"unexpected EOF",
	"invalid block type",
	"invalid length/literal",
	"invalid distance",
	"stream finished",
	"no stream handler",
	,
	"no callback",
	"invalid UTF-8 data",
	"extra field too long",
	"date not in range 1980-2099",
	"filename too long",
	"stream finishing",
	"invalid zip data"
];
var err = function(ind, msg, nt) {
	var e = new Error(msg || ec[ind]);
	e.code = ind;
	if (Error.captureStackTrace) Error.captureStackTrace(e, err);
	if (!nt) throw e;
	return e;
};
var inflt = function(dat, st, buf, dict) {
	var sl = dat.length, dl = dict ? dict.length : 0;
	if (!sl || st.f && !st.l) return buf || new u8(0);
	var noBuf = !buf;
	var resize = noBuf || st.i != 2;
	var noSt = st.i;
	if (noBuf) buf = new u8(sl * 3);
	var cbuf = function(l) {
		var bl = buf.length;
		if (l > bl) {
			var nbuf = new u8(Math.max(bl * 2, l));
			nbuf.set(buf);
			buf = nbuf;
		}
	};
	var final = st.f || 0, pos = st.p || 0, bt = st.b || 0, lm = st.l, dm = st.d, lbt = st.m, dbt = st.n;
	var tbts = sl * 8;
	do {
		if (!lm) {
			final = bits(dat, pos, 1);
			var type = bits(dat, pos + 1, 3);
			pos += 3;
			if (!type) {
				var s = shft(pos) + 4, l = dat[s - 4] | dat[s - 3] << 8, t = s + l;
				if (t > sl) {
					if (noSt) err(0);
					break;
				}
				if (resize) cbuf(bt + l);
				buf.set(dat.subarray(s, t), bt);
				st.b = bt += l, st.p = pos = t * 8, st.f = final;
				continue;
			} else if (type == 1) lm = flrm, dm = fdrm, lbt = 9, dbt = 5;
			else if (type == 2) {
				var hLit = bits(dat, pos, 31) + 257, hcLen = bits(dat, pos + 10, 15) + 4;
				var tl = hLit + bits(dat, pos + 5, 31) + 1;
				pos += 14;
				var ldt = new u8(tl);
				var clt = new u8(19);
				for (var i = 0; i < hcLen; ++i) clt[clim[i]] = bits(dat, pos + i * 3, 7);
				pos += hcLen * 3;
				var clb = max(clt), clbmsk = (1 << clb) - 1;
				var clm = hMap(clt, clb, 1);
				for (var i = 0; i < tl;) {
					var r = clm[bits(dat, pos, clbmsk)];
					pos += r & 15;
					var s = r >> 4;
					if (s < 16) ldt[i++] = s;
					else {
						var c = 0, n = 0;
						if (s == 16) n = 3 + bits(dat, pos, 3), pos += 2, c = ldt[i - 1];
						else if (s == 17) n = 3 + bits(dat, pos, 7), pos += 3;
						else if (s == 18) n = 11 + bits(dat, pos, 127), pos += 7;
						while (n--) ldt[i++] = c;
					}
				}
				var lt = ldt.subarray(0, hLit), dt = ldt.subarray(hLit);
				lbt = max(lt);
				dbt = max(dt);
				lm = hMap(lt, lbt, 1);
				dm = hMap(dt, dbt, 1);
			} else err(1);
			if (pos > tbts) {
				if (noSt) err(0);
				break;
			}
		}
		if (resize) cbuf(bt + 131072);
		var lms = (1 << lbt) - 1, dms = (1 << dbt) - 1;
		var lpos = pos;
		for (;; lpos = pos) {
			var c = lm[bits16(dat, pos) & lms], sym = c >> 4;
			pos += c & 15;
			if (pos > tbts) {
				if (noSt) err(0);
				break;
			}
			if (!c) err(2);
			if (sym < 256) buf[bt++] = sym;
			else if (sym == 256) {
				lpos = pos, lm = null;
				break;
			} else {
				var add = sym - 254;
				if (sym > 264) {
					var i = sym - 257, b = fleb[i];
					add = bits(dat, pos, (1 << b) - 1) + fl[i];
					pos += b;
				}
				var d = dm[bits16(dat, pos) & dms], dsym = d >> 4;
				if (!d) err(3);
				pos += d & 15;
				var dt = fd[dsym];
				if (dsym > 3) {
					var b = fdeb[dsym];
					dt += bits16(dat, pos) & (1 << b) - 1, pos += b;
				}
				if (pos > tbts) {
					if (noSt) err(0);
					break;
				}
				if (resize) cbuf(bt + 131072);
				var end = bt + add;
				if (bt < dt) {
					var shift = dl - dt, dend = Math.min(dt, end);
					if (shift + bt < 0) err(3);
					for (; bt < dend; ++bt) buf[bt] = dict[shift + bt];
				}
				for (; bt < end; ++bt) buf[bt] = buf[bt - dt];
			}
		}
		st.l = lm, st.p = lpos, st.b = bt, st.f = final;
		if (lm) final = 1, st.m = lbt, st.d = dm, st.n = dbt;
	} while (!final);
	return bt != buf.length && noBuf ? slc(buf, 0, bt) : buf.subarray(0, bt);
};
var wbits = function(d, p, v) {
	v <<= p & 7;
	var o = p / 8 | 0;
	d[o] |= v;
	d[o + 1] |= v >> 8;
};
var wbits16 = function(d, p, v) {
	v <<= p & 7;
	var o = p / 8 | 0;
	d[o] |= v;
	d[o + 1] |= v >> 8;
	d[o + 2] |= v >> 16;
};
var hTree = function(d, mb) {
	var t = [];
	for (var i = 0; i < d.length; ++i) if (d[i]) t.push({
		s: i,
		f: d[i]
	});
	var s = t.length;
	var t2 = t.slice();
	if (!s) return {
		t: et,
		l: 0
	};
	if (s == 1) {
		var v = new u8(t[0].s + 1);
		v[t[0].s] = 1;
		return {
			t: v,
			l: 1
		};
	}
	t.sort(function(a, b) {
		return a.f - b.f;
	});
	t.push({
		s: -1,
		f: 25001
	});
	var l = t[0], r = t[1], i0 = 0, i1 = 1, i2 = 2;
	t[0] = {
		s: -1,
		f: l.f + r.f,
		l,
		r
	};
	while (i1 != s - 1) {
		l = t[t[i0].f < t[i2].f ? i0++ : i2++];
		r = t[i0 != i1 && t[i0].f < t[i2].f ? i0++ : i2++];
		t[i1++] = {
			s: -1,
			f: l.f + r.f,
			l,
			r
		};
	}
	var maxSym = t2[0].s;
	for (var i = 1; i < s; ++i) if (t2[i].s > maxSym) maxSym = t2[i].s;
	var tr = new u16(maxSym + 1);
	var mbt = ln(t[i1 - 1], tr, 0);
	if (mbt > mb) {
		var i = 0, dt = 0;
		var lft = mbt - mb, cst = 1 << lft;
		t2.sort(function(a, b) {
			return tr[b.s] - tr[a.s] || a.f - b.f;
		});
		for (; i < s; ++i) {
			var i2_1 = t2[i].s;
			if (tr[i2_1] > mb) {
				dt += cst - (1 << mbt - tr[i2_1]);
				tr[i2_1] = mb;
			} else break;
		}
		dt >>= lft;
		while (dt > 0) {
			var i2_2 = t2[i].s;
			if (tr[i2_2] < mb) dt -= 1 << mb - tr[i2_2]++ - 1;
			else ++i;
		}
		for (; i >= 0 && dt; --i) {
			var i2_3 = t2[i].s;
			if (tr[i2_3] == mb) {
				--tr[i2_3];
				++dt;
			}
		}
		mbt = mb;
	}
	return {
		t: new u8(tr),
		l: mbt
	};
};
var ln = function(n, l, d) {
	return n.s == -1 ? Math.max(ln(n.l, l, d + 1), ln(n.r, l, d + 1)) : l[n.s] = d;
};
var lc = function(c) {
	var s = c.length;
	while (s && !c[--s]);
	var cl = new u16(++s);
	var cli = 0, cln = c[0], cls = 1;
	var w = function(v) {
		cl[cli++] = v;
	};
	for (var i = 1; i <= s; ++i) if (c[i] == cln && i != s) ++cls;
	else {
		if (!cln && cls > 2) {
			for (; cls > 138; cls -= 138) w(32754);
			if (cls > 2) {
				w(cls > 10 ? cls - 11 << 5 | 28690 : cls - 3 << 5 | 12305);
				cls = 0;
			}
		} else if (cls > 3) {
			w(cln), --cls;
			for (; cls > 6; cls -= 6) w(8304);
			if (cls > 2) w(cls - 3 << 5 | 8208), cls = 0;
		}
		while (cls--) w(cln);
		cls = 1;
		cln = c[i];
	}
	return {
		c: cl.subarray(0, cli),
		n: s
	};
};
var clen = function(cf, cl) {
	var l = 0;
	for (var i = 0; i < cl.length; ++i) l += cf[i] * cl[i];
	return l;
};
var wfblk = function(out, pos, dat) {
	var s = dat.length;
	var o = shft(pos + 2);
	out[o] = s & 255;
	out[o + 1] = s >> 8;
	out[o + 2] = out[o] ^ 255;
	out[o + 3] = out[o + 1] ^ 255;
	for (var i = 0; i < s; ++i) out[o + i + 4] = dat[i];
	return (o + 4 + s) * 8;
};
var wblk = function(dat, out, final, syms, lf, df, eb, li, bs, bl, p) {
	wbits(out, p++, final);
	++lf[256];
	var _a = hTree(lf, 15), dlt = _a.t, mlb = _a.l;
	var _b = hTree(df, 15), ddt = _b.t, mdb = _b.l;
	var _c = lc(dlt), lclt = _c.c, nlc = _c.n;
	var _d = lc(ddt), lcdt = _d.c, ndc = _d.n;
	var lcfreq = new u16(19);
	for (var i = 0; i < lclt.length; ++i) ++lcfreq[lclt[i] & 31];
	for (var i = 0; i < lcdt.length; ++i) ++lcfreq[lcdt[i] & 31];
	var _e = hTree(lcfreq, 7), lct = _e.t, mlcb = _e.l;
	var nlcc = 19;
	for (; nlcc > 4 && !lct[clim[nlcc - 1]]; --nlcc);
	var flen = bl + 5 << 3;
	var ftlen = clen(lf, flt) + clen(df, fdt) + eb;
	var dtlen = clen(lf, dlt) + clen(df, ddt) + eb + 14 + 3 * nlcc + clen(lcfreq, lct) + 2 * lcfreq[16] + 3 * lcfreq[17] + 7 * lcfreq[18];
	if (bs >= 0 && flen <= ftlen && flen <= dtlen) return wfblk(out, p, dat.subarray(bs, bs + bl));
	var lm, ll, dm, dl;
	wbits(out, p, 1 + (dtlen < ftlen)), p += 2;
	if (dtlen < ftlen) {
		lm = hMap(dlt, mlb, 0), ll = dlt, dm = hMap(ddt, mdb, 0), dl = ddt;
		var llm = hMap(lct, mlcb, 0);
		wbits(out, p, nlc - 257);
		wbits(out, p + 5, ndc - 1);
		wbits(out, p + 10, nlcc - 4);
		p += 14;
		for (var i = 0; i < nlcc; ++i) wbits(out, p + 3 * i, lct[clim[i]]);
		p += 3 * nlcc;
		var lcts = [lclt, lcdt];
		for (var it = 0; it < 2; ++it) {
			var clct = lcts[it];
			for (var i = 0; i < clct.length; ++i) {
				var len = clct[i] & 31;
				wbits(out, p, llm[len]), p += lct[len];
				if (len > 15) wbits(out, p, clct[i] >> 5 & 127), p += clct[i] >> 12;
			}
		}
	} else lm = flm, ll = flt, dm = fdm, dl = fdt;
	for (var i = 0; i < li; ++i) {
		var sym = syms[i];
		if (sym > 255) {
			var len = sym >> 18 & 31;
			wbits16(out, p, lm[len + 257]), p += ll[len + 257];
			if (len > 7) wbits(out, p, sym >> 23 & 31), p += fleb[len];
			var dst = sym & 31;
			wbits16(out, p, dm[dst]), p += dl[dst];
			if (dst > 3) wbits16(out, p, sym >> 5 & 8191), p += fdeb[dst];
		} else wbits16(out, p, lm[sym]), p += ll[sym];
	}
	wbits16(out, p, lm[256]);
	return p + ll[256];
};
var deo = /*#__PURE__*/ new i32([
	65540,
	131080,
	131088,
	131104,
	262176,
	1048704,
	1048832,
	2114560,
	2117632
]);
var et = /*#__PURE__*/ new u8(0);
var dflt = function(dat, lvl, plvl, pre, post, st) {
	var s = st.z || dat.length;
	var o = new u8(pre + s + 5 * (1 + Math.ceil(s / 7e3)) + post);
	var w = o.subarray(pre, o.length - post);
	var lst = st.l;
	var pos = (st.r || 0) & 7;
	if (lvl) {
		if (pos) w[0] = st.r >> 3;
		var opt = deo[lvl - 1];
		var n = opt >> 13, c = opt & 8191;
		var msk_1 = (1 << plvl) - 1;
		var prev = st.p || new u16(32768), head = st.h || new u16(msk_1 + 1);
		var bs1_1 = Math.ceil(plvl / 3), bs2_1 = 2 * bs1_1;
		var hsh = function(i) {
			return (dat[i] ^ dat[i + 1] << bs1_1 ^ dat[i + 2] << bs2_1) & msk_1;
		};
		var syms = new i32(25e3);
		var lf = new u16(288), df = new u16(32);
		var lc_1 = 0, eb = 0, i = st.i || 0, li = 0, wi = st.w || 0, bs = 0;
		for (; i + 2 < s; ++i) {
			var hv = hsh(i);
			var imod = i & 32767, pimod = head[hv];
			prev[imod] = pimod;
			head[hv] = imod;
			if (wi <= i) {
				var rem = s - i;
				if ((lc_1 > 7e3 || li > 24576) && (rem > 423 || !lst)) {
					pos = wblk(dat, w, 0, syms, lf, df, eb, li, bs, i - bs, pos);
					li = lc_1 = eb = 0, bs = i;
					for (var j = 0; j < 286; ++j) lf[j] = 0;
					for (var j = 0; j < 30; ++j) df[j] = 0;
				}
				var l = 2, d = 0, ch_1 = c, dif = imod - pimod & 32767;
				if (rem > 2 && hv == hsh(i - dif)) {
					var maxn = Math.min(n, rem) - 1;
					var maxd = Math.min(32767, i);
					var ml = Math.min(258, rem);
					while (dif <= maxd && --ch_1 && imod != pimod) {
						if (dat[i + l] == dat[i + l - dif]) {
							var nl = 0;
							for (; nl < ml && dat[i + nl] == dat[i + nl - dif]; ++nl);
							if (nl > l) {
								l = nl, d = dif;
								if (nl > maxn) break;
								var mmd = Math.min(dif, nl - 2);
								var md = 0;
								for (var j = 0; j < mmd; ++j) {
									var ti = i - dif + j & 32767;
									var cd = ti - prev[ti] & 32767;
									if (cd > md) md = cd, pimod = ti;
								}
							}
						}
						imod = pimod, pimod = prev[imod];
						dif += imod - pimod & 32767;
					}
				}
				if (d) {
					syms[li++] = 268435456 | revfl[l] << 18 | revfd[d];
					var lin = revfl[l] & 31, din = revfd[d] & 31;
					eb += fleb[lin] + fdeb[din];
					++lf[257 + lin];
					++df[din];
					wi = i + l;
					++lc_1;
				} else {
					syms[li++] = dat[i];
					++lf[dat[i]];
				}
			}
		}
		for (i = Math.max(i, wi); i < s; ++i) {
			syms[li++] = dat[i];
			++lf[dat[i]];
		}
		pos = wblk(dat, w, lst, syms, lf, df, eb, li, bs, i - bs, pos);
		if (!lst) {
			st.r = pos & 7 | w[pos / 8 | 0] << 3;
			pos -= 7;
			st.h = head, st.p = prev, st.i = i, st.w = wi;
		}
	} else {
		for (var i = st.w || 0; i < s + lst; i += 65535) {
			var e = i + 65535;
			if (e >= s) {
				w[pos / 8 | 0] = lst;
				e = s;
			}
			pos = wfblk(w, pos + 1, dat.subarray(i, e));
		}
		st.i = s;
	}
	return slc(o, 0, pre + shft(pos) + post);
};
var crct = /*#__PURE__*/ (function() {
	var t = /* @__PURE__ */ new Int32Array(256);
	for (var i = 0; i < 256; ++i) {
		var c = i, k = 9;
		while (--k) c = (c & 1 && -306674912) ^ c >>> 1;
		t[i] = c;
	}
	return t;
})();
var crc = function() {
	var c = -1;
	return {
		p: function(d) {
			var cr = c;
			for (var i = 0; i < d.length; ++i) cr = crct[cr & 255 ^ d[i]] ^ cr >>> 8;
			c = cr;
		},
		d: function() {
			return ~c;
		}
	};
};
var adler = function() {
	var a = 1, b = 0;
	return {
		p: function(d) {
			var n = a, m = b;
			var l = d.length | 0;
			for (var i = 0; i != l;) {
				var e = Math.min(i + 2655, l);
				for (; i < e; ++i) m += n += d[i];
				n = (n & 65535) + 15 * (n >> 16), m = (m & 65535) + 15 * (m >> 16);
			}
			a = n, b = m;
		},
		d: function() {
			a %= 65521, b %= 65521;
			return (a & 255) << 24 | (a & 65280) << 8 | (b & 255) << 8 | b >> 8;
		}
	};
};
var dopt = function(dat, opt, pre, post, st) {
	if (!st) {
		st = { l: 1 };
		if (opt.dictionary) {
			var dict = opt.dictionary.subarray(-32768);
			var newDat = new u8(dict.length + dat.length);
			newDat.set(dict);
			newDat.set(dat, dict.length);
			dat = newDat;
			st.w = dict.length;
		}
	}
	return dflt(dat, opt.level == null ? 6 : opt.level, opt.mem == null ? st.l ? Math.ceil(Math.max(8, Math.min(13, Math.log(dat.length))) * 1.5) : 20 : 12 + opt.mem, pre, post, st);
};
var wbytes = function(d, b, v) {
	for (; v; ++b) d[b] = v, v >>>= 8;
};
var gzh = function(c, o) {
	var fn = o.filename;
	c[0] = 31, c[1] = 139, c[2] = 8, c[8] = o.level < 2 ? 4 : o.level == 9 ? 2 : 0, c[9] = 3;
	if (o.mtime != 0) wbytes(c, 4, Math.floor(new Date(o.mtime || Date.now()) / 1e3));
	if (fn) {
		c[3] = 8;
		for (var i = 0; i <= fn.length; ++i) c[i + 10] = fn.charCodeAt(i);
	}
};
var gzs = function(d) {
	if (d[0] != 31 || d[1] != 139 || d[2] != 8) err(6, "invalid gzip data");
	var flg = d[3];
	var st = 10;
	if (flg & 4) st += (d[10] | d[11] << 8) + 2;
	for (var zs = (flg >> 3 & 1) + (flg >> 4 & 1); zs > 0; zs -= !d[st++]);
	return st + (flg & 2);
};
var gzhl = function(o) {
	return 10 + (o.filename ? o.filename.length + 1 : 0);
};
var zlh = function(c, o) {
	var lv = o.level, fl = lv == 0 ? 0 : lv < 6 ? 1 : lv == 9 ? 3 : 2;
	c[0] = 120, c[1] = fl << 6 | (o.dictionary && 32);
	c[1] |= 31 - (c[0] << 8 | c[1]) % 31;
	if (o.dictionary) {
		var h = adler();
		h.p(o.dictionary);
		wbytes(c, 2, h.d());
	}
};
var zls = function(d, dict) {
	if ((d[0] & 15) != 8 || d[0] >> 4 > 7 || (d[0] << 8 | d[1]) % 31) err(6, "invalid zlib data");
	if ((d[1] >> 5 & 1) == +!dict) err(6, "invalid zlib data: " + (d[1] & 32 ? "need" : "unexpected") + " dictionary");
	return (d[1] >> 3 & 4) + 2;
};
/**
* Streaming DEFLATE compression
*/
var Deflate = /* @__PURE__ */ function() {
	function Deflate(opts, cb) {
		if (typeof opts == "function") cb = opts, opts = {};
		this.ondata = cb;
		this.o = opts || {};
		this.s = {
			l: 0,
			i: 32768,
			w: 32768,
			z: 32768
		};
		this.b = new u8(98304);
		if (this.o.dictionary) {
			var dict = this.o.dictionary.subarray(-32768);
			this.b.set(dict, 32768 - dict.length);
			this.s.i = 32768 - dict.length;
		}
	}
	Deflate.prototype.p = function(c, f) {
		this.ondata(dopt(c, this.o, 0, 0, this.s), f);
	};
	/**
	* Pushes a chunk to be deflated
	* @param chunk The chunk to push
	* @param final Whether this is the last chunk
	*/
	Deflate.prototype.push = function(chunk, final) {
		if (!this.ondata) err(5);
		if (this.s.l) err(4);
		var endLen = chunk.length + this.s.z;
		if (endLen > this.b.length) {
			if (endLen > 2 * this.b.length - 32768) {
				var newBuf = new u8(endLen & -32768);
				newBuf.set(this.b.subarray(0, this.s.z));
				this.b = newBuf;
			}
			var split = this.b.length - this.s.z;
			this.b.set(chunk.subarray(0, split), this.s.z);
			this.s.z = this.b.length;
			this.p(this.b, false);
			this.b.set(this.b.subarray(-32768));
			this.b.set(chunk.subarray(split), 32768);
			this.s.z = chunk.length - split + 32768;
			this.s.i = 32766, this.s.w = 32768;
		} else {
			this.b.set(chunk, this.s.z);
			this.s.z += chunk.length;
		}
		this.s.l = final & 1;
		if (this.s.z > this.s.w + 8191 || final) {
			this.p(this.b, final || false);
			this.s.w = this.s.i, this.s.i -= 2;
		}
		if (final) {
			this.s = this.o = {};
			this.b = et;
		}
	};
	/**
	* Flushes buffered uncompressed data. Useful to immediately retrieve the
	* deflated output for small inputs.
	* @param sync Whether to flush to a byte boundary. A sync flush takes 4-5
	*             extra bytes, but guarantees all pushed data is immediately
	*             decompressible. A separate DEFLATE stream may be concatenated
	*             with the current output after a sync flush.
	*/
	Deflate.prototype.flush = function(sync) {
		if (!this.ondata) err(5);
		if (this.s.l) err(4);
		this.p(this.b, false);
		this.s.w = this.s.i, this.s.i -= 2;
		if (sync) {
			var c = new u8(6);
			c[0] = this.s.r >> 3;
			var ep = wfblk(c, this.s.r, et);
			this.s.r = 0;
			this.ondata(c.subarray(0, ep >> 3), false);
		}
	};
	return Deflate;
}();
/**
* Streaming DEFLATE decompression
*/
var Inflate = /* @__PURE__ */ function() {
	function Inflate(opts, cb) {
		if (typeof opts == "function") cb = opts, opts = {};
		this.ondata = cb;
		var dict = opts && opts.dictionary && opts.dictionary.subarray(-32768);
		this.s = {
			i: 0,
			b: dict ? dict.length : 0
		};
		this.o = new u8(32768);
		this.p = new u8(0);
		if (dict) this.o.set(dict);
	}
	Inflate.prototype.e = function(c) {
		if (!this.ondata) err(5);
		if (this.d) err(4);
		if (!this.p.length) this.p = c;
		else if (c.length) {
			var n = new u8(this.p.length + c.length);
			n.set(this.p), n.set(c, this.p.length), this.p = n;
		}
	};
	Inflate.prototype.c = function(final) {
		this.s.i = +(this.d = final || false);
		var bts = this.s.b;
		var dt = inflt(this.p, this.s, this.o);
		this.ondata(slc(dt, bts, this.s.b), this.d);
		this.o = slc(dt, this.s.b - 32768), this.s.b = this.o.length;
		this.p = slc(this.p, this.s.p / 8 | 0), this.s.p &= 7;
	};
	/**
	* Pushes a chunk to be inflated
	* @param chunk The chunk to push
	* @param final Whether this is the final chunk
	*/
	Inflate.prototype.push = function(chunk, final) {
		this.e(chunk), this.c(final);
	};
	return Inflate;
}();
/**
* Streaming GZIP compression
*/
var Gzip = /* @__PURE__ */ function() {
	function Gzip(opts, cb) {
		this.c = crc();
		this.l = 0;
		this.v = 1;
		Deflate.call(this, opts, cb);
	}
	/**
	* Pushes a chunk to be GZIPped
	* @param chunk The chunk to push
	* @param final Whether this is the last chunk
	*/
	Gzip.prototype.push = function(chunk, final) {
		this.c.p(chunk);
		this.l += chunk.length;
		Deflate.prototype.push.call(this, chunk, final);
	};
	Gzip.prototype.p = function(c, f) {
		var raw = dopt(c, this.o, this.v && gzhl(this.o), f && 8, this.s);
		if (this.v) gzh(raw, this.o), this.v = 0;
		if (f) wbytes(raw, raw.length - 8, this.c.d()), wbytes(raw, raw.length - 4, this.l);
		this.ondata(raw, f);
	};
	/**
	* Flushes buffered uncompressed data. Useful to immediately retrieve the
	* GZIPped output for small inputs.
	* @param sync Whether to flush to a byte boundary. A sync flush takes 4-5
	*             extra bytes, but guarantees all pushed data is immediately
	*             decompressible.
	*/
	Gzip.prototype.flush = function(sync) {
		Deflate.prototype.flush.call(this, sync);
	};
	return Gzip;
}();
/**
* Streaming single or multi-member GZIP decompression
*/
var Gunzip = /* @__PURE__ */ function() {
	function Gunzip(opts, cb) {
		this.v = 1;
		this.r = 0;
		Inflate.call(this, opts, cb);
	}
	/**
	* Pushes a chunk to be GUNZIPped
	* @param chunk The chunk to push
	* @param final Whether this is the last chunk
	*/
	Gunzip.prototype.push = function(chunk, final) {
		Inflate.prototype.e.call(this, chunk);
		this.r += chunk.length;
		if (this.v) {
			var p = this.p.subarray(this.v - 1);
			var s = p.length > 3 ? gzs(p) : 4;
			if (s > p.length) {
				if (!final) return;
			} else if (this.v > 1 && this.onmember) this.onmember(this.r - p.length);
			this.p = p.subarray(s), this.v = 0;
		}
		Inflate.prototype.c.call(this, 0);
		if (this.s.f && !this.s.l) {
			this.v = shft(this.s.p) + 9;
			this.s = { i: 0 };
			this.o = new u8(0);
			this.push(new u8(0), final);
		} else if (final) Inflate.prototype.c.call(this, final);
	};
	return Gunzip;
}();
/**
* Compress data with Zlib
* @param data The data to compress
* @param opts The compression options
* @returns The zlib-compressed version of the data
*/
function zlibSync(data, opts) {
	if (!opts) opts = {};
	var a = adler();
	a.p(data);
	var d = dopt(data, opts, opts.dictionary ? 6 : 2, 4);
	return zlh(d, opts), wbytes(d, d.length - 4, a.d()), d;
}
function unzlibSync(data, opts) {
	return inflt(data.subarray(zls(data, opts && opts.dictionary), -4), { i: 2 }, opts && opts.out, opts && opts.dictionary);
}
var td = typeof TextDecoder != "undefined" && /*#__PURE__*/ new TextDecoder();
try {
	td.decode(et, { stream: true });
} catch (e) {}
// ../../work/main/packages/format/dist/libvirt/errors.js
/**
* An error reading or writing a libvirt save image. `detail` is libvirt's message for the same
* failure where libvirt has one; `message` adds the byte offset when known.
*/
var SaveImageError = class extends FormatError {
	name = "SaveImageError";
	constructor(code, detail, offset, options) {
		super(code, detail, offset === void 0 ? {} : { offset });
		if (options && "cause" in options) this.cause = options.cause;
	}
};
// ../../work/main/packages/format/dist/libvirt/header.js
/** Size of libvirt's save-image header; it has been 92 bytes in every version. */
const LIBVIRT_HEADER_SIZE = 92;
/** Magic of a finished image. The "Qemud" spelling is ABI and never changes. */
const LIBVIRT_SAVE_MAGIC = "LibvirtQemudSave";
/** Magic written first and replaced by {@link LIBVIRT_SAVE_MAGIC} once the save has finished. */
const LIBVIRT_PARTIAL_MAGIC = "LibvirtQemudPart";
/** The newest header version libvirt writes and reads. */
const LIBVIRT_SAVE_VERSION = 2;
/** Zero padding libvirt leaves after the XML so the XML can be edited in place later. */
const DEFAULT_SAVE_IMAGE_PADDING = 65536;
/**
* The `format` field, by on-disk number (the index). Numbers are never reused; 3 was briefly
* "lzma" before any release and has meant xz since.
*/
const SAVE_IMAGE_FORMATS = [
	"raw",
	"gzip",
	"bzip2",
	"xz",
	"lzop",
	"zstd",
	"sparse"
];
const VERSION_AT = 16;
const DATA_LEN_AT = 20;
const WAS_RUNNING_AT = 24;
const FORMAT_AT = 28;
const COOKIE_OFFSET_AT = 32;
const SAVE_MAGIC_BYTES = asciiBytes(LIBVIRT_SAVE_MAGIC);
const PARTIAL_MAGIC_BYTES = asciiBytes(LIBVIRT_PARTIAL_MAGIC);
function asciiBytes(text) {
	return Uint8Array.from(text, (c) => c.charCodeAt(0));
}
function startsWith(bytes, at, prefix) {
	if (bytes.length - at < prefix.length) return false;
	for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false;
	return true;
}
/**
* Tells from the first bytes of a file whether it is a libvirt save image, for format
* auto-detection. Needs at least 16 bytes.
*/
function sniffLibvirtSaveImage(prefix) {
	if (startsWith(prefix, 0, SAVE_MAGIC_BYTES)) return "complete";
	if (startsWith(prefix, 0, PARTIAL_MAGIC_BYTES)) return "partial";
	return null;
}
/** libvirt prints these unsigned fields with `%d`; reproduce its numbers exactly. */
function asLibvirtInt(value) {
	return value | 0;
}
/**
* Decodes the header at `offset` in `bytes`, checking what libvirt checks, in libvirt's order:
* length, magic, version (byte-swapping a header from a host of the other endianness), format,
* data length. It also refuses a cookie offset past the data area, which libvirt would turn
* into an enormous allocation.
*/
function parseLibvirtHeader(bytes, offset = 0, options = {}) {
	if (bytes.length - offset < 92) throw new SaveImageError("HEADER_TRUNCATED", "failed to read qemu header", Math.max(bytes.length, offset));
	let complete = true;
	if (!startsWith(bytes, offset, SAVE_MAGIC_BYTES)) {
		if (!startsWith(bytes, offset, PARTIAL_MAGIC_BYTES)) throw new SaveImageError("BAD_MAGIC", "image magic is incorrect", offset);
		if (!options.allowPartial) throw new SaveImageError("SAVE_IMAGE_INCOMPLETE", "save image is incomplete", offset);
		complete = false;
	}
	const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 92);
	let littleEndian = true;
	if (view.getUint32(VERSION_AT, true) > 2) littleEndian = false;
	const version = view.getUint32(VERSION_AT, littleEndian);
	if (version > 2) throw new SaveImageError("VERSION_UNSUPPORTED", `image version is not supported (${asLibvirtInt(version)} > 2)`, offset + VERSION_AT);
	const formatNumber = view.getUint32(FORMAT_AT, littleEndian);
	const format = SAVE_IMAGE_FORMATS[formatNumber];
	if (format === void 0) throw new SaveImageError("UNSUPPORTED_FORMAT", `unsupported save image format: ${asLibvirtInt(formatNumber)}`, offset + FORMAT_AT);
	const dataLen = view.getUint32(DATA_LEN_AT, littleEndian);
	if (dataLen === 0) throw new SaveImageError("BAD_DATA_LENGTH", "invalid header data length: 0", offset + DATA_LEN_AT);
	const cookieOffset = view.getUint32(COOKIE_OFFSET_AT, littleEndian);
	if (cookieOffset > dataLen) throw new SaveImageError("BAD_COOKIE_OFFSET", `invalid cookie offset: ${cookieOffset} is past the data length ${dataLen}`, offset + COOKIE_OFFSET_AT);
	return {
		complete,
		version,
		dataLen,
		wasRunning: view.getUint32(WAS_RUNNING_AT, littleEndian) !== 0,
		format,
		cookieOffset,
		littleEndian
	};
}
function checkUint32(name, value) {
	if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new SaveImageError("INVALID_ARGUMENT", `header field ${name} must be a 32-bit unsigned integer, got ${value}`);
	return value;
}
/** Numeric on-disk value of a format name. */
function saveImageFormatNumber(format) {
	const index = SAVE_IMAGE_FORMATS.indexOf(format);
	if (index < 0) throw new SaveImageError("INVALID_ARGUMENT", `unknown save image format: ${String(format)}`);
	return index;
}
/** Encodes the 92-byte header; the unused tail is zero. */
function encodeLibvirtHeader(fields) {
	const version = checkUint32("version", fields.version ?? 2);
	if (version > 2) throw new SaveImageError("INVALID_ARGUMENT", `header version ${version} is newer than 2`);
	const dataLen = checkUint32("dataLen", fields.dataLen);
	const cookieOffset = checkUint32("cookieOffset", fields.cookieOffset ?? 0);
	if (dataLen === 0 || cookieOffset > dataLen) throw new SaveImageError("INVALID_ARGUMENT", `header dataLen ${dataLen} must be positive and hold cookieOffset ${cookieOffset}`);
	const littleEndian = fields.littleEndian ?? true;
	const bytes = /* @__PURE__ */ new Uint8Array(92);
	bytes.set(fields.complete === false ? PARTIAL_MAGIC_BYTES : SAVE_MAGIC_BYTES, 0);
	const view = new DataView(bytes.buffer);
	view.setUint32(VERSION_AT, version, littleEndian);
	view.setUint32(DATA_LEN_AT, dataLen, littleEndian);
	view.setUint32(WAS_RUNNING_AT, fields.wasRunning ? 1 : 0, littleEndian);
	view.setUint32(FORMAT_AT, saveImageFormatNumber(fields.format ?? "raw"), littleEndian);
	view.setUint32(COOKIE_OFFSET_AT, cookieOffset, littleEndian);
	return bytes;
}
// ../../work/main/packages/format/dist/source/closing-iterator.js
/**
* Wraps `inner` so that `close` runs exactly once when the iteration ends: at its end, when it
* throws, or when the consumer stops (`break`, `return()`, `throw()`), even before the first
* `next()`. A plain generator skips its `finally` when it is returned before it started, which
* would leave a file or a pipe open.
*/
function closingIterator(inner, close) {
	let closed;
	const closeOnce = () => closed ??= close();
	return {
		async next() {
			if (closed) return {
				done: true,
				value: void 0
			};
			try {
				const r = await inner.next();
				if (r.done) await closeOnce();
				return r;
			} catch (error) {
				await closeOnce().catch(() => void 0);
				throw error;
			}
		},
		async return(value) {
			try {
				await inner.return?.(value);
			} finally {
				await closeOnce();
			}
			return {
				done: true,
				value: void 0
			};
		},
		async throw(error) {
			try {
				await inner.return?.();
			} finally {
				await closeOnce();
			}
			throw error;
		},
		[Symbol.asyncIterator]() {
			return this;
		}
	};
}
// ../../work/main/packages/format/dist/libvirt/chunk-reader.js
const EMPTY = /* @__PURE__ */ new Uint8Array(0);
/**
* Pulls exact byte counts out of a chunked source without copying where a chunk suffices, and
* counts the absolute position for error offsets.
*/
var ChunkReader = class {
	#puller;
	#pending = EMPTY;
	#ended = false;
	/** Absolute offset of the next byte to be taken. */
	position = 0;
	constructor(puller) {
		this.#puller = puller;
	}
	async #pull() {
		const next = await this.#puller.next();
		if (next === void 0) {
			this.#ended = true;
			return false;
		}
		this.#pending = next;
		return true;
	}
	/** The next piece of at most `max` bytes (a view, not a copy), or `undefined` at the end. */
	async take(max) {
		while (this.#pending.length === 0) if (this.#ended || !await this.#pull()) return void 0;
		const piece = this.#pending.subarray(0, max);
		this.#pending = this.#pending.subarray(piece.length);
		this.position += piece.length;
		return piece;
	}
	/** Exactly `length` bytes, or fewer when the source ends first. */
	async read(length) {
		const first = await this.take(length);
		if (first === void 0) return EMPTY;
		if (first.length === length) return first;
		const out = new Uint8Array(length);
		out.set(first);
		let filled = first.length;
		while (filled < length) {
			const piece = await this.take(length - filled);
			if (piece === void 0) return out.subarray(0, filled);
			out.set(piece, filled);
			filled += piece.length;
		}
		return out;
	}
	/** Everything not taken yet, chunk by chunk. Stopping early closes the source. */
	async *rest() {
		try {
			for (;;) {
				const piece = await this.take(Number.POSITIVE_INFINITY);
				if (piece === void 0) return;
				yield piece;
			}
		} finally {
			await this.close();
		}
	}
	/** Releases the source, e.g. when only the header was wanted. */
	async close() {
		if (this.#ended) return;
		this.#ended = true;
		this.#pending = EMPTY;
		await this.#puller.close();
	}
};
// ../../work/main/packages/format/dist/libvirt/crc32.js
const TABLE = (() => {
	const table = /* @__PURE__ */ new Uint32Array(1024);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ c >>> 1 : c >>> 1;
		table[n] = c >>> 0;
	}
	for (let n = 0; n < 256; n++) {
		let c = table[n];
		for (let t = 1; t < 4; t++) {
			c = table[c & 255] ^ c >>> 8;
			table[t * 256 + n] = c >>> 0;
		}
	}
	return table;
})();
/** Continues a CRC-32 over `bytes`; start with 0. */
function crc32(bytes, previous = 0) {
	const t = TABLE;
	let c = ~previous;
	let i = 0;
	const aligned = bytes.length - (bytes.length & 3);
	for (; i < aligned; i += 4) {
		c ^= bytes[i] | bytes[i + 1] << 8 | bytes[i + 2] << 16 | bytes[i + 3] << 24;
		c = t[768 + (c & 255)] ^ t[512 + (c >>> 8 & 255)] ^ t[256 + (c >>> 16 & 255)] ^ t[c >>> 24];
	}
	for (; i < bytes.length; i++) c = t[(c ^ bytes[i]) & 255] ^ c >>> 8;
	return ~c >>> 0;
}
// ../../work/main/packages/format/dist/libvirt/gzip.js
const INFLATE_SLICE = 16384;
const DEFLATE_SLICE = 1048576;
const MIN_GZIP_SIZE = 20;
const TRAILER_SIZE = 8;
function takeAll(queue) {
	return queue.splice(0, queue.length);
}
/**
* Inflates a gzip payload as it arrives. `baseOffset` is the payload's offset in the image, so
* errors name absolute positions. Each member's CRC-32 and length are checked against the trailer
* of the last member (gzip writes one member; concatenated members are accepted).
*/
async function* gunzipChunks(input, baseOffset) {
	const produced = [];
	let memberCrc = 0;
	let memberSize = 0;
	const inflater = new Gunzip((chunk) => {
		produced.push(chunk);
		memberCrc = crc32(chunk, memberCrc);
		memberSize = memberSize + chunk.length >>> 0;
	});
	inflater.onmember = () => {
		memberCrc = 0;
		memberSize = 0;
	};
	const tail = new Uint8Array(TRAILER_SIZE);
	let consumed = 0;
	const push = (piece, final) => {
		try {
			inflater.push(piece, final);
		} catch (error) {
			throw new SaveImageError("DECOMPRESS_FAILED", `gzip payload is damaged: ${error instanceof Error ? error.message : String(error)}`, baseOffset + consumed, { cause: error });
		}
		consumed += piece.length;
		if (piece.length >= TRAILER_SIZE) tail.set(piece.subarray(piece.length - TRAILER_SIZE));
		else {
			tail.copyWithin(0, piece.length);
			tail.set(piece, TRAILER_SIZE - piece.length);
		}
	};
	for await (const chunk of input) for (let at = 0; at < chunk.length; at += INFLATE_SLICE) {
		push(chunk.subarray(at, at + INFLATE_SLICE), false);
		yield* takeAll(produced);
	}
	push(/* @__PURE__ */ new Uint8Array(0), true);
	yield* takeAll(produced);
	if (consumed < MIN_GZIP_SIZE) throw new SaveImageError("DECOMPRESS_FAILED", `gzip payload is truncated: ${consumed} bytes`, baseOffset + consumed);
	const trailer = new DataView(tail.buffer);
	if (trailer.getUint32(0, true) !== memberCrc || trailer.getUint32(4, true) !== memberSize) throw new SaveImageError("DECOMPRESS_FAILED", "gzip payload is truncated or damaged: checksum or length does not match the trailer", baseOffset + consumed - TRAILER_SIZE);
}
/**
* Compresses to a single gzip member like `gzip -c` (header 1f 8b 08 00, mtime 0, OS unix).
* `level` 6 is gzip's default.
*/
async function* gzipChunks(input, level = 6) {
	if (!Number.isInteger(level) || level < 0 || level > 9) throw new SaveImageError("INVALID_ARGUMENT", `gzip level must be an integer from 0 to 9, got ${level}`);
	const produced = [];
	const deflater = new Gzip({
		level,
		mtime: 0
	}, (chunk) => {
		produced.push(chunk);
	});
	for await (const chunk of input) for (let at = 0; at < chunk.length; at += DEFLATE_SLICE) {
		deflater.push(chunk.subarray(at, at + DEFLATE_SLICE), false);
		yield* takeAll(produced);
	}
	deflater.push(/* @__PURE__ */ new Uint8Array(0), true);
	yield* takeAll(produced);
}
// ../../work/main/packages/format/dist/libvirt/codec.js
function isExternal(format) {
	return format === "bzip2" || format === "xz" || format === "lzop" || format === "zstd";
}
function requireCodec(format, codec) {
	if (codec) return codec;
	throw new SaveImageError("COMPRESSOR_UNAVAILABLE", `${format} save images are compressed by the external ${format} program, which this entry point cannot run: use readSaveImage/writeSaveImage from "@savevm/format/node", or pass a codec (saveImageCodec({ ${format}: { decompress } }) with a wasm or JavaScript ${format} decoder)`);
}
/**
* The QEMU migration stream inside a payload. Like libvirt, only version 2 images are ever
* compressed, and a sparse (mapped-ram) payload is handed over untouched.
*/
function decodePayload(header, payload, payloadOffset, codec) {
	const format = header.version === 2 ? header.format : "raw";
	if (format === "gzip") return gunzipChunks(payload, payloadOffset);
	if (isExternal(format)) return requireCodec(format, codec).decompress(format, payload);
	return payload;
}
/** The payload bytes for a QEMU migration stream, compressed as `format` asks. */
function encodePayload(format, stream, options) {
	if (format === "gzip") return gzipChunks(stream, options.gzipLevel);
	if (isExternal(format)) return requireCodec(format, options.codec).compress(format, stream);
	return stream;
}
// ../../work/main/packages/format/dist/libvirt/read.js
/** Default cap on the domain XML and on the cookie (each), so a bad header cannot make us buffer gigabytes. */
const DEFAULT_MAX_XML_BYTES = 16777216;
const utf8$1 = new TextDecoder("utf-8");
/**
* Reads an area of `length` bytes holding a NUL-terminated string followed by anything
* (libvirt's padding), keeping at most `limit` bytes of string in memory.
*/
async function readTerminatedArea(reader, length, limit, what) {
	const start = reader.position;
	const pieces = [];
	let stringLength = -1;
	let scanned = 0;
	while (scanned < length) {
		const piece = await reader.take(length - scanned);
		if (piece === void 0) throw new SaveImageError(what.truncated, what.message, reader.position);
		if (stringLength < 0) {
			const nul = piece.indexOf(0);
			const keep = nul < 0 ? piece.length : nul;
			if (scanned + keep > limit) throw new SaveImageError("XML_TOO_LARGE", `${what.label} is longer than the limit of ${limit} bytes (maxXmlBytes)`, start + limit);
			pieces.push(piece.subarray(0, keep));
			if (nul >= 0) stringLength = scanned + nul;
		}
		scanned += piece.length;
	}
	if (stringLength < 0) throw new SaveImageError("XML_NOT_TERMINATED", `${what.label} is not NUL-terminated`, start + length);
	const joined = concatBytes(pieces);
	return {
		text: utf8$1.decode(joined),
		used: stringLength + 1
	};
}
/**
* Reads a libvirt save image from the front, never seeking: the header, the domain XML, the
* cookie, then hands out the QEMU migration stream that follows, decompressed. raw and gzip are
* built in; the other formats need `options.codec` (see `@savevm/format/node`).
*/
async function readSaveImage(source, options = {}) {
	const limit = options.maxXmlBytes ?? 16777216;
	const reader = new ChunkReader(pullChunks(source));
	try {
		const header = parseLibvirtHeader(await reader.read(92), 0, { allowPartial: options.allowPartial ?? false });
		const xmlAreaLength = header.cookieOffset || header.dataLen;
		const xml = await readTerminatedArea(reader, xmlAreaLength, limit, {
			truncated: "XML_TRUNCATED",
			message: "failed to read domain XML",
			label: "domain XML"
		});
		const cookieAreaLength = header.dataLen - xmlAreaLength;
		const cookie = header.cookieOffset !== 0 && cookieAreaLength > 0 ? await readTerminatedArea(reader, cookieAreaLength, limit, {
			truncated: "COOKIE_TRUNCATED",
			message: "failed to read cookie",
			label: "cookie"
		}) : void 0;
		const payloadOffset = 92 + header.dataLen;
		const codec = options.codec;
		let opened = false;
		const image = {
			header,
			domainXml: xml.text,
			paddingLength: header.dataLen - xml.used - (cookie?.used ?? 0),
			payloadOffset,
			stream: {
				[Symbol.asyncIterator]() {
					if (opened) throw new SaveImageError("INVALID_ARGUMENT", "the save image stream can be read only once");
					opened = true;
					return closingIterator((async function* () {
						yield* decodePayload(header, reader.rest(), payloadOffset, codec);
					})(), () => reader.close());
				},
				close: () => reader.close()
			}
		};
		if (cookie) image.cookieXml = cookie.text;
		return image;
	} catch (error) {
		await reader.close().catch(() => void 0);
		throw error;
	}
}
// ../../work/main/packages/format/dist/libvirt/write.js
/** A sink that keeps the image in memory (browsers, tests, small images). */
var MemorySaveImageSink = class {
	#chunks = [];
	#length = 0;
	#joined;
	write(chunk) {
		this.#chunks.push(chunk.slice());
		this.#length += chunk.length;
		this.#joined = void 0;
	}
	rewrite(position, bytes) {
		if (position < 0 || position + bytes.length > this.#length) throw new SaveImageError("INVALID_ARGUMENT", `rewrite of ${bytes.length} bytes at ${position} is outside the ${this.#length} written`);
		this.bytes().set(bytes, position);
	}
	/** The image written so far. */
	bytes() {
		if (!this.#joined) {
			const all = new Uint8Array(this.#length);
			let at = 0;
			for (const chunk of this.#chunks) {
				all.set(chunk, at);
				at += chunk.length;
			}
			this.#chunks = [all];
			this.#joined = all;
		}
		return this.#joined;
	}
};
const utf8 = new TextEncoder();
function terminated(text, label) {
	if (text.includes("\0")) throw new SaveImageError("INVALID_ARGUMENT", `${label} must not contain a NUL character`);
	const encoded = utf8.encode(text);
	const out = new Uint8Array(encoded.length + 1);
	out.set(encoded);
	return out;
}
/**
* Lays out the data area as libvirt does: XML and cookie, each NUL-terminated, then zeros. With
* `fixedLength` (a rewrite) the area keeps its size, or fails with libvirt's words.
*/
function encodeDataArea(domainXml, cookieXml, size) {
	const xml = terminated(domainXml, "domain XML");
	const cookie = cookieXml === void 0 ? void 0 : terminated(cookieXml, "cookie XML");
	const used = xml.length + (cookie?.length ?? 0);
	let dataLen;
	if ("fixedLength" in size) {
		if (used > size.fixedLength) throw new SaveImageError("XML_DOES_NOT_FIT", "new xml too large to fit in file");
		dataLen = size.fixedLength;
	} else {
		if (!Number.isInteger(size.padding) || size.padding < 0) throw new SaveImageError("INVALID_ARGUMENT", `padding must be a non-negative integer, got ${size.padding}`);
		dataLen = used + size.padding;
	}
	if (dataLen > 0xffffffff) throw new SaveImageError("INVALID_ARGUMENT", `XML, cookie and padding take ${dataLen} bytes; the header holds at most 4 GiB - 1`);
	const bytes = new Uint8Array(dataLen);
	bytes.set(xml, 0);
	if (cookie) bytes.set(cookie, xml.length);
	return {
		bytes,
		dataLen,
		cookieOffset: cookie ? xml.length : 0
	};
}
async function* counted(source, count) {
	for await (const chunk of source) {
		count.bytes += chunk.length;
		yield chunk;
	}
}
/**
* Writes a libvirt save image the way libvirt does: header with the `LibvirtQemudPart` magic,
* XML, cookie and padding, the (compressed) QEMU migration stream, and last the header again
* with the `LibvirtQemudSave` magic, so an interrupted save is recognisable as incomplete.
*/
async function writeSaveImage(sink, options, streamBytes) {
	const format = options.format ?? "raw";
	const area = encodeDataArea(options.domainXml, options.cookieXml, { padding: options.padding ?? 65536 });
	const fields = {
		dataLen: area.dataLen,
		wasRunning: options.wasRunning,
		format,
		cookieOffset: area.cookieOffset
	};
	const consumed = { bytes: 0 };
	const payload = encodePayload(format, counted(streamBytes, consumed), options)[Symbol.asyncIterator]();
	let payloadLength = 0;
	try {
		let next = await payload.next();
		await sink.write(encodeLibvirtHeader({
			...fields,
			complete: false
		}));
		await sink.write(area.bytes);
		while (!next.done) {
			payloadLength += next.value.length;
			await sink.write(next.value);
			next = await payload.next();
		}
	} catch (error) {
		await Promise.resolve(payload.return?.()).catch(() => void 0);
		throw error;
	}
	await sink.rewrite(0, encodeLibvirtHeader({
		...fields,
		complete: true
	}));
	const payloadOffset = 92 + area.dataLen;
	return {
		header: {
			...fields,
			complete: true,
			version: 2,
			littleEndian: true
		},
		payloadOffset,
		streamLength: consumed.bytes,
		payloadLength,
		totalLength: payloadOffset + payloadLength
	};
}
/** The new header and data area for replacing the XML of an image in place. */
async function rewrittenHeaderAndData(image, newXml, options = {}) {
	const current = await readSaveImage(image);
	await current.stream.close();
	const area = encodeDataArea(newXml, options.cookieXml ?? current.cookieXml, { fixedLength: current.header.dataLen });
	const out = new Uint8Array(92 + area.dataLen);
	out.set(encodeLibvirtHeader({
		...current.header,
		wasRunning: options.wasRunning ?? current.header.wasRunning,
		cookieOffset: area.cookieOffset
	}));
	out.set(area.bytes, 92);
	return out;
}
/**
* Replaces the domain XML of a complete image held in memory, keeping the data area's size so
* the payload does not move (`virsh save-image-define`). Returns a new array; fails with
* XML_DOES_NOT_FIT ("new xml too large to fit in file") when the XML and cookie outgrow it.
*/
async function rewriteSaveImageXml(image, newXml, options = {}) {
	const front = await rewrittenHeaderAndData(image, newXml, options);
	const out = image.slice();
	out.set(front);
	return out;
}
export { sniffLibvirtSaveImage as _, DEFAULT_MAX_XML_BYTES as a, zlibSync as b, DEFAULT_SAVE_IMAGE_PADDING as c, LIBVIRT_SAVE_MAGIC as d, LIBVIRT_SAVE_VERSION as f, saveImageFormatNumber as g, parseLibvirtHeader as h, writeSaveImage as i, LIBVIRT_HEADER_SIZE as l, encodeLibvirtHeader as m, rewriteSaveImageXml as n, readSaveImage as o, SAVE_IMAGE_FORMATS as p, rewrittenHeaderAndData as r, closingIterator as s, MemorySaveImageSink as t, LIBVIRT_PARTIAL_MAGIC as u, SaveImageError as v, unzlibSync as y };
