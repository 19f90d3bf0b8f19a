# ~/.bashrc: executed by bash(1) for non-login shells.
case $- in
    *i*) ;;
      *) return;;
esac
HISTSIZE=1000
export GOPRIVATE=git.corp.example
GOFLAGS=-mod=mod
