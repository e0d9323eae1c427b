# page: 30 | Global optimum | :material/target: | optimum
"""Global optimum: solve the exact convex program on the current data and show the network."""

import pandas as pd
import streamlit as st

import app_solve
import app_state
from app_state import K

app_state.init()  # also when Streamlit runs this file on its own

st.title("Global optimum")
st.caption("The convex program is solved exactly and certified by its duality gap; the network is "
           "read off its nonzero blocks, one neuron per block.")

data = app_state.current_data()

c1, c2, c3, c4 = st.columns([1.2, 1, 1.5, 1.1])
with c1:
    st.number_input("β (weight decay)", min_value=1e-6, max_value=1e4, step=0.001, format="%.4g",
                    key=K.BETA, persist_state="session",
                    help="The penalty is (β/2)(‖W1‖² + ‖b1‖² + ‖w2‖²).")
with c2:
    st.selectbox("Loss", app_state.LOSSES, key=K.LOSS, persist_state="session",
                 help="squared: ½‖f − y‖²; logistic and hinge need labels ±1.")
with c3:
    st.radio("Program", app_state.PROGRAMS, key=K.PROGRAM, persist_state="session", horizontal=True,
             format_func={"exact": "exact ReLU", "gated": "gated relaxation"}.get,
             help="exact: cone constraints, gives a ReLU network; gated: gates fixed, no constraints.")
with c4:
    st.toggle("Minimal network", key=K.PRUNE, persist_state="session",
              help="Prune linearly dependent blocks (math.md §5): same fit, at most n neurons.")

s = app_state.settings()
train = data.train()
if train.n <= app_state.MAX_SOLVE_POINTS:
    bmax = app_solve.beta_max(train.X, train.y, s.loss, s.program)
    if bmax is not None:
        st.caption(f"β_max = {bmax:.4g}: for β ≥ β_max the optimal network is zero.")

result = app_solve.solve_current(data, s)
if result is not None:
    left, right = st.columns([1.35, 1], gap="large")
    with left:
        app_solve.show_figure(result, data, key="optimum_chart", height=560)
    with right:
        app_solve.show_metrics(result, data, columns=2)
        model = result.model
        with st.expander(f"The {result.width} neurons"):
            d = model.W1.shape[0]
            if result.program == "exact":
                table = {**{f"w1[{i + 1}]": model.W1[i] for i in range(d)}, "b1": model.b1, "w2": model.w2}
            else:  # gate g (hyperplane) and weights v of each gated neuron
                table = {**{f"g[{i + 1}]": model.G[i] for i in range(d)}, "g bias": model.G[d],
                         **{f"v[{i + 1}]": model.V[i] for i in range(d)}, "v bias": model.V[d]}
            st.dataframe(pd.DataFrame(table), height=250)
