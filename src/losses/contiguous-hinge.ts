/**
 * Contiguous loops of the hinge losses (see ./contiguous.ts): labels become `y = a t + b`
 * (Keras's 0/1 → -1/1 conversion when every label is 0 or 1: a = 2, b = -1; else a = 1,
 * b = 0), the margin is `m = 1 - y p`, and `max(m, 0)` is written `0.5 (m + |m|)` (no
 * data-dependent branch; NaN stays NaN).
 */

// hinge: mean(max(1 - y p, 0)), y = a t + b: gradient -y [1 - y p >= 0] / n (TensorFlow passes the kink to its first argument)

export function hingeValues32(out: Float32Array, td: Float32Array, pd: Float32Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3);
  const a = params[0]!, b = params[1]!;
  for (let r = 0; r < rows; r++) {
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const y0 = a * td[j + 0]! + b; const e0 = 1 - y0 * pd[j + 0]!;
      const y1 = a * td[j + 1]! + b; const e1 = 1 - y1 * pd[j + 1]!;
      const y2 = a * td[j + 2]! + b; const e2 = 1 - y2 * pd[j + 2]!;
      const y3 = a * td[j + 3]! + b; const e3 = 1 - y3 * pd[j + 3]!;
      s0 += 0.5 * (e0 + Math.abs(e0));
      s1 += 0.5 * (e1 + Math.abs(e1));
      s2 += 0.5 * (e2 + Math.abs(e2));
      s3 += 0.5 * (e3 + Math.abs(e3));
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const y = a * td[j]! + b; const e = 1 - y * pd[j]!;
      s0 += 0.5 * (e + Math.abs(e));
    }
    const sum = s0 + s1 + s2 + s3;
    out[r] = sum / n;
  }
}

export function hingeFused32(out: Float32Array, gd: Float32Array, u: Float64Array, td: Float32Array, pd: Float32Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3);
  const a = params[0]!, b = params[1]!;
  for (let r = 0; r < rows; r++) {
    const scale = u[r]! / n;
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const y0 = a * td[j + 0]! + b; const e0 = 1 - y0 * pd[j + 0]!;
      const y1 = a * td[j + 1]! + b; const e1 = 1 - y1 * pd[j + 1]!;
      const y2 = a * td[j + 2]! + b; const e2 = 1 - y2 * pd[j + 2]!;
      const y3 = a * td[j + 3]! + b; const e3 = 1 - y3 * pd[j + 3]!;
      s0 += 0.5 * (e0 + Math.abs(e0));
      s1 += 0.5 * (e1 + Math.abs(e1));
      s2 += 0.5 * (e2 + Math.abs(e2));
      s3 += 0.5 * (e3 + Math.abs(e3));
      gd[j - p0 + 0] = -scale * y0 * +(e0 >= 0) + 0;
      gd[j - p0 + 1] = -scale * y1 * +(e1 >= 0) + 0;
      gd[j - p0 + 2] = -scale * y2 * +(e2 >= 0) + 0;
      gd[j - p0 + 3] = -scale * y3 * +(e3 >= 0) + 0;
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const y = a * td[j]! + b; const e = 1 - y * pd[j]!;
      s0 += 0.5 * (e + Math.abs(e));
      gd[j - p0] = -scale * y * +(e >= 0) + 0;
    }
    const sum = s0 + s1 + s2 + s3;
    out[r] = sum / n;
    // A NaN error has a NaN value, so its gradient is NaN: the branch-free sign above gives 0,
    // so a row whose sum is NaN is redone with the plain expression.
    if (sum !== sum) {
      for (let i = rowStart; i < rowEnd; i++) {
        const y = a * td[i]! + b; const e = 1 - y * pd[i]!;
        gd[i - p0] = e >= 0 ? -scale * y : e < 0 ? 0 : NaN; // + 0: no -0 where the gradient is 0
      }
    }
  }
}

export function hingeValues64(out: Float64Array, td: Float64Array, pd: Float64Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3);
  const a = params[0]!, b = params[1]!;
  for (let r = 0; r < rows; r++) {
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const y0 = a * td[j + 0]! + b; const e0 = 1 - y0 * pd[j + 0]!;
      const y1 = a * td[j + 1]! + b; const e1 = 1 - y1 * pd[j + 1]!;
      const y2 = a * td[j + 2]! + b; const e2 = 1 - y2 * pd[j + 2]!;
      const y3 = a * td[j + 3]! + b; const e3 = 1 - y3 * pd[j + 3]!;
      s0 += 0.5 * (e0 + Math.abs(e0));
      s1 += 0.5 * (e1 + Math.abs(e1));
      s2 += 0.5 * (e2 + Math.abs(e2));
      s3 += 0.5 * (e3 + Math.abs(e3));
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const y = a * td[j]! + b; const e = 1 - y * pd[j]!;
      s0 += 0.5 * (e + Math.abs(e));
    }
    const sum = s0 + s1 + s2 + s3;
    out[r] = sum / n;
  }
}

export function hingeFused64(out: Float64Array, gd: Float64Array, u: Float64Array, td: Float64Array, pd: Float64Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3);
  const a = params[0]!, b = params[1]!;
  for (let r = 0; r < rows; r++) {
    const scale = u[r]! / n;
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const y0 = a * td[j + 0]! + b; const e0 = 1 - y0 * pd[j + 0]!;
      const y1 = a * td[j + 1]! + b; const e1 = 1 - y1 * pd[j + 1]!;
      const y2 = a * td[j + 2]! + b; const e2 = 1 - y2 * pd[j + 2]!;
      const y3 = a * td[j + 3]! + b; const e3 = 1 - y3 * pd[j + 3]!;
      s0 += 0.5 * (e0 + Math.abs(e0));
      s1 += 0.5 * (e1 + Math.abs(e1));
      s2 += 0.5 * (e2 + Math.abs(e2));
      s3 += 0.5 * (e3 + Math.abs(e3));
      gd[j - p0 + 0] = -scale * y0 * +(e0 >= 0) + 0;
      gd[j - p0 + 1] = -scale * y1 * +(e1 >= 0) + 0;
      gd[j - p0 + 2] = -scale * y2 * +(e2 >= 0) + 0;
      gd[j - p0 + 3] = -scale * y3 * +(e3 >= 0) + 0;
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const y = a * td[j]! + b; const e = 1 - y * pd[j]!;
      s0 += 0.5 * (e + Math.abs(e));
      gd[j - p0] = -scale * y * +(e >= 0) + 0;
    }
    const sum = s0 + s1 + s2 + s3;
    out[r] = sum / n;
    // A NaN error has a NaN value, so its gradient is NaN: the branch-free sign above gives 0,
    // so a row whose sum is NaN is redone with the plain expression.
    if (sum !== sum) {
      for (let i = rowStart; i < rowEnd; i++) {
        const y = a * td[i]! + b; const e = 1 - y * pd[i]!;
        gd[i - p0] = e >= 0 ? -scale * y : e < 0 ? 0 : NaN; // + 0: no -0 where the gradient is 0
      }
    }
  }
}

// squaredHinge: mean(max(1 - y p, 0)^2), y = a t + b: gradient -2 y max(1 - y p, 0) / n

export function squaredHingeValues32(out: Float32Array, td: Float32Array, pd: Float32Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3);
  const a = params[0]!, b = params[1]!;
  for (let r = 0; r < rows; r++) {
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const y0 = a * td[j + 0]! + b; const e0 = 1 - y0 * pd[j + 0]!;
      const y1 = a * td[j + 1]! + b; const e1 = 1 - y1 * pd[j + 1]!;
      const y2 = a * td[j + 2]! + b; const e2 = 1 - y2 * pd[j + 2]!;
      const y3 = a * td[j + 3]! + b; const e3 = 1 - y3 * pd[j + 3]!;
      s0 += 0.25 * (e0 + Math.abs(e0)) * (e0 + Math.abs(e0));
      s1 += 0.25 * (e1 + Math.abs(e1)) * (e1 + Math.abs(e1));
      s2 += 0.25 * (e2 + Math.abs(e2)) * (e2 + Math.abs(e2));
      s3 += 0.25 * (e3 + Math.abs(e3)) * (e3 + Math.abs(e3));
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const y = a * td[j]! + b; const e = 1 - y * pd[j]!;
      s0 += 0.25 * (e + Math.abs(e)) * (e + Math.abs(e));
    }
    const sum = s0 + s1 + s2 + s3;
    out[r] = sum / n;
  }
}

export function squaredHingeFused32(out: Float32Array, gd: Float32Array, u: Float64Array, td: Float32Array, pd: Float32Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3);
  const a = params[0]!, b = params[1]!;
  for (let r = 0; r < rows; r++) {
    const scale = u[r]! / n;
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const y0 = a * td[j + 0]! + b; const e0 = 1 - y0 * pd[j + 0]!;
      const y1 = a * td[j + 1]! + b; const e1 = 1 - y1 * pd[j + 1]!;
      const y2 = a * td[j + 2]! + b; const e2 = 1 - y2 * pd[j + 2]!;
      const y3 = a * td[j + 3]! + b; const e3 = 1 - y3 * pd[j + 3]!;
      s0 += 0.25 * (e0 + Math.abs(e0)) * (e0 + Math.abs(e0));
      s1 += 0.25 * (e1 + Math.abs(e1)) * (e1 + Math.abs(e1));
      s2 += 0.25 * (e2 + Math.abs(e2)) * (e2 + Math.abs(e2));
      s3 += 0.25 * (e3 + Math.abs(e3)) * (e3 + Math.abs(e3));
      gd[j - p0 + 0] = -scale * y0 * (e0 + Math.abs(e0)) + 0;
      gd[j - p0 + 1] = -scale * y1 * (e1 + Math.abs(e1)) + 0;
      gd[j - p0 + 2] = -scale * y2 * (e2 + Math.abs(e2)) + 0;
      gd[j - p0 + 3] = -scale * y3 * (e3 + Math.abs(e3)) + 0;
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const y = a * td[j]! + b; const e = 1 - y * pd[j]!;
      s0 += 0.25 * (e + Math.abs(e)) * (e + Math.abs(e));
      gd[j - p0] = -scale * y * (e + Math.abs(e)) + 0;
    }
    const sum = s0 + s1 + s2 + s3;
    out[r] = sum / n;
  }
}

export function squaredHingeValues64(out: Float64Array, td: Float64Array, pd: Float64Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3);
  const a = params[0]!, b = params[1]!;
  for (let r = 0; r < rows; r++) {
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const y0 = a * td[j + 0]! + b; const e0 = 1 - y0 * pd[j + 0]!;
      const y1 = a * td[j + 1]! + b; const e1 = 1 - y1 * pd[j + 1]!;
      const y2 = a * td[j + 2]! + b; const e2 = 1 - y2 * pd[j + 2]!;
      const y3 = a * td[j + 3]! + b; const e3 = 1 - y3 * pd[j + 3]!;
      s0 += 0.25 * (e0 + Math.abs(e0)) * (e0 + Math.abs(e0));
      s1 += 0.25 * (e1 + Math.abs(e1)) * (e1 + Math.abs(e1));
      s2 += 0.25 * (e2 + Math.abs(e2)) * (e2 + Math.abs(e2));
      s3 += 0.25 * (e3 + Math.abs(e3)) * (e3 + Math.abs(e3));
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const y = a * td[j]! + b; const e = 1 - y * pd[j]!;
      s0 += 0.25 * (e + Math.abs(e)) * (e + Math.abs(e));
    }
    const sum = s0 + s1 + s2 + s3;
    out[r] = sum / n;
  }
}

export function squaredHingeFused64(out: Float64Array, gd: Float64Array, u: Float64Array, td: Float64Array, pd: Float64Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3);
  const a = params[0]!, b = params[1]!;
  for (let r = 0; r < rows; r++) {
    const scale = u[r]! / n;
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const y0 = a * td[j + 0]! + b; const e0 = 1 - y0 * pd[j + 0]!;
      const y1 = a * td[j + 1]! + b; const e1 = 1 - y1 * pd[j + 1]!;
      const y2 = a * td[j + 2]! + b; const e2 = 1 - y2 * pd[j + 2]!;
      const y3 = a * td[j + 3]! + b; const e3 = 1 - y3 * pd[j + 3]!;
      s0 += 0.25 * (e0 + Math.abs(e0)) * (e0 + Math.abs(e0));
      s1 += 0.25 * (e1 + Math.abs(e1)) * (e1 + Math.abs(e1));
      s2 += 0.25 * (e2 + Math.abs(e2)) * (e2 + Math.abs(e2));
      s3 += 0.25 * (e3 + Math.abs(e3)) * (e3 + Math.abs(e3));
      gd[j - p0 + 0] = -scale * y0 * (e0 + Math.abs(e0)) + 0;
      gd[j - p0 + 1] = -scale * y1 * (e1 + Math.abs(e1)) + 0;
      gd[j - p0 + 2] = -scale * y2 * (e2 + Math.abs(e2)) + 0;
      gd[j - p0 + 3] = -scale * y3 * (e3 + Math.abs(e3)) + 0;
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const y = a * td[j]! + b; const e = 1 - y * pd[j]!;
      s0 += 0.25 * (e + Math.abs(e)) * (e + Math.abs(e));
      gd[j - p0] = -scale * y * (e + Math.abs(e)) + 0;
    }
    const sum = s0 + s1 + s2 + s3;
    out[r] = sum / n;
  }
}
