package io.bolmo4j.mlstm;

/**
 * Dimensions of Bolmo's local (mLSTM) layers (docs/bolmo.md §1.1): hidden size {@code d}, mLSTM heads, SwiGLU width and the
 * RMSNorm eps of the pre-norms ({@code rms_norm_eps}). The mLSTM takes qk = d/2 and v = d in total (xLSTM
 * {@code qk_dim_factor} 0.5, {@code v_dim_factor} 1.0), split evenly over the heads.
 */
public record LocalConfig(int d, int heads, int ffn, float rmsEps) {

    /** Validates that the heads divide the qk and v widths. */
    public LocalConfig {
        if (d < 2 || heads < 1 || ffn < 1 || !(rmsEps >= 0)) {
            throw new IllegalArgumentException("invalid local config: d=" + d + " heads=" + heads + " ffn=" + ffn
                    + " eps=" + rmsEps);
        }
        if (d % (2 * heads) != 0) {
            throw new IllegalArgumentException("d/2 = " + d / 2.0 + " must be divisible by heads = " + heads);
        }
    }

    /** Total query/key width, d/2. */
    public int qkDim() {
        return d / 2;
    }

    /** Total value width, d. */
    public int vDim() {
        return d;
    }

    public int qkPerHead() {
        return qkDim() / heads;
    }

    public int vPerHead() {
        return vDim() / heads;
    }
}
