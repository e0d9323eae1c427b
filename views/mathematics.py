"""Mathematics: the repository's documentation (docs/*.md), one section per file."""

import streamlit as st

import ui

st.title("Mathematics")
found = ui.docs.sections()
if not found:
    st.info("The mathematics pages (docs/*.md) are not in this copy of the app.")
    st.stop()

st.caption("The mathematics behind the pages, from the repository's docs/ folder. Contents: "
           + " · ".join(f"[{s.title}](#{s.slug})" for s in found))
for section in found:
    st.header(section.title, anchor=section.slug, divider="gray")
    st.markdown(section.body)
