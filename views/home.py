"""Home: the idea in a few lines, and a solved network on the current data."""

import streamlit as st

import ui

st.title("Training a ReLU network is a convex program")

data = ui.current_data()
s = ui.settings()

intro, figure = st.columns([1, 1], gap="large")
with intro:
    st.markdown(r"A two-layer ReLU network $f(x)=\sum_j (\tilde x^\top w_{1j})_+\,w_{2j}$, "
                r"with $\tilde x=(x,1)$, trained with weight decay solves the **nonconvex** problem")
    # each program on two lines: in a half-width column a one-line formula was cut off at 1280 px
    st.latex(r"\begin{aligned}\min_{W_1,\,w_2}\; &\ell\Big(\sum_{j=1}^m (\tilde X w_{1j})_+\, w_{2j},"
             r"\; y\Big) \\ &+ \frac{\beta}{2}\sum_{j=1}^m \big(\|w_{1j}\|^2 + w_{2j}^2\big).\end{aligned}")
    st.markdown(r"Its optimal value equals that of a **convex program** over the hyperplane-arrangement "
                r"patterns $D_i=\operatorname{diag}(\mathbf 1[\tilde X g\ge 0])$ (Pilanci & Ergen, 2020):")
    st.latex(r"\begin{aligned}\min_{u_i,\,u_i'}\; &\ell\Big(\sum_i D_i\tilde X(u_i-u_i'),\,y\Big)"
             r"\\ &+\beta\sum_i\big(\|u_i\|+\|u_i'\|\big)\end{aligned}")
    st.latex(r"\text{s.t.}\;\; (2D_i-I)\tilde X u_i\ge 0,\quad (2D_i-I)\tilde X u_i'\ge 0 .")
    st.markdown(r"Each nonzero block is one neuron, $w_1=u/\sqrt{\|u\|}$, $w_2=\pm\sqrt{\|u\|}$. "
                "So the network on the right is a certified **global** optimum: no gradient "
                "descent, no local minima.")
    st.markdown(
        """
**Pages**
- **Playground** (the page the app opens on): click points onto the certified optimum and watch
  it move; the neurons as thumbnails; AdamW training live beside it; lesson links.
- **Data**: presets (size, noise, seed), draw points with the mouse, upload or download CSV.
- **Global optimum**: solve the convex program on your data with your β, loss, program and
  patterns; see the decision boundary (or regression curve), each neuron's hyperplane and
  active side, the certificate (every pattern's dual value against β), the minimal network;
  export it as JSON or Python, import a network back.
- **All global optima**: split a neuron into copies, add zero neurons, permute: the function
  and the objective stay the same. Train nonconvex networks of every width to see the critical
  width m*.
- **Lasso path**: the optimal networks from β_max down to 10⁻³ β_max, animated: neurons enter
  one by one.
- **Arrangements** and **Geometric algebra**: the patterns D_i themselves, a hyperplane you turn,
  the arrangement on the sphere, and how Gaussian and geometric-algebra sampling find them.
- **Stationary points** and **AdamW vs convex**: where gradient training stops, the convex
  program over its patterns that explains it, and the global optimum beside it.
- **Neural recovery**, **Deep networks**, **Complexity**: the theory's statements, computed.
- **Real data**: a convex two-layer head against AdamW on real features (digits, your upload).
"""
    )
    links = st.columns(2)
    links[0].page_link("views/data.py", label="Change the data", icon=":material/scatter_plot:")
    links[1].page_link("views/global_optimum.py", label="Solve with other settings",
                       icon=":material/target:")
    links[0].page_link("views/optima.py", label="All global optima", icon=":material/call_split:")
    links[1].page_link("views/lasso_path.py", label="The Lasso path", icon=":material/timeline:")

with figure:
    st.subheader(f"The global optimum on {ui.plain(data.name)}")
    st.caption(f"{ui.plain(ui.describe(data))} · β = {s.beta:g}, {s.loss} loss, {s.program} program")
    result = ui.results.solve_current(data, s, status=False)
    if result is not None:
        ui.results.show_figure(result, data, key="home_chart", height=460)
        ui.results.show_metrics(result, data, columns=2)
