package io.bolmo4j.bolmo;

import ai.djl.ndarray.NDArray;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.engine.Params;
import io.bolmo4j.io.ParameterLayout;

/**
 * The fused 520-way LM head (docs/bolmo.md §3.6): {@code lm_head(RMSNorm_final(u))}. Id {@code 4+b} is "next byte b, no patch
 * end"; id {@code 264+b} is "next byte b, and it ends its patch".
 */
public final class LmHead {
    private final BolmoConfig cfg;
    private final Params params;

    public LmHead(BolmoConfig cfg, Params params) {
        this.cfg = cfg;
        this.params = params;
    }

    public NDArray logits(NDArray u) {
        NDArray normed = Ops.rmsNorm(u, params.get(ParameterLayout.NORM), (float) cfg.rmsNormEps);
        return Ops.linear(normed, params.get(ParameterLayout.LM_HEAD));
    }
}
