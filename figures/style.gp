# figures/style.gp: the one style of every rtv figure. rtv::plot compiles this file in and sends it to gnuplot
# before each figure (after the terminal is set); you can also `load 'figures/style.gp'` in your own scripts.
# Palette: colour-blind safe (Okabe & Ito), as linetypes 1-8.
set linetype 1 lc rgb '#0072B2' lw 2 pt 7 ps 0.6
set linetype 2 lc rgb '#D55E00' lw 2 pt 5 ps 0.6
set linetype 3 lc rgb '#009E73' lw 2 pt 9 ps 0.7
set linetype 4 lc rgb '#CC79A7' lw 2 pt 11 ps 0.7
set linetype 5 lc rgb '#E69F00' lw 2 pt 13 ps 0.7
set linetype 6 lc rgb '#56B4E9' lw 2 pt 3 ps 0.7
set linetype 7 lc rgb '#000000' lw 2 pt 1 ps 0.7
set linetype 8 lc rgb '#999999' lw 2 pt 2 ps 0.7
set style line 100 lc rgb '#dddddd' lw 1 dt 1
set grid back ls 100
set border 3 lw 1 lc rgb '#333333'
set tics nomirror out scale 0.6
set key top left box opaque samplen 2 spacing 1.1 font ',9'
set title offset 0,-0.3 font ',11'
set xlabel offset 0,0.3
set ylabel offset 0.8,0
set format y '%g'
set format x '%g'
set samples 500
